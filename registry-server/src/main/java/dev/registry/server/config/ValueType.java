package dev.registry.server.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a setting accepts: a check that turns a raw string into its canonical form, or rejects it,
 * and the words an error message uses for "expected".
 */
public record ValueType(String expected, Function<String, Optional<String>> canonical) {

    /** Any non-empty text. */
    public static ValueType text(String expected) {
        return new ValueType(expected, Optional::of);
    }

    /** A whole number in [min, max], written back in plain decimal. */
    public static ValueType integer(long min, long max, String expected) {
        return new ValueType(expected, raw -> {
            try {
                long v = Long.parseLong(raw);
                return v >= min && v <= max ? Optional.of(Long.toString(v)) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** A TCP port; 0 picks a free one. */
    public static ValueType port() {
        return integer(0, 65535, "a port number 0..65535 (0 = a free port)");
    }

    /** A TCP port, or -1 to turn the listener off. */
    public static ValueType portOrDisabled() {
        return integer(-1, 65535, "a port number 0..65535 (0 = a free port), or -1 to disable it");
    }

    /** A positive duration in whole units (fits an int). */
    public static ValueType positive(String unit) {
        return integer(1, Integer.MAX_VALUE, "a positive whole number of " + unit);
    }

    /** One of the given words, case-insensitive, written back as given here. */
    public static ValueType oneOf(String... words) {
        List<String> allowed = Arrays.asList(words);
        return new ValueType("one of " + String.join(", ", allowed), raw -> allowed.stream()
                .filter(w -> w.equalsIgnoreCase(raw))
                .findFirst());
    }

    /** Text that {@code check} accepts; it rejects by throwing {@link IllegalArgumentException}. */
    public static ValueType checkedBy(String expected, Consumer<String> check) {
        return new ValueType(expected, raw -> {
            try {
                check.accept(raw);
                return Optional.of(raw);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }
}
