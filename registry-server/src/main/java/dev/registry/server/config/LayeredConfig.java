package dev.registry.server.config;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A node's settings from three layers over the built-in defaults: command line &gt; environment
 * ({@code REGISTRY_<KEY>}) &gt; config file &gt; default. Pure: the file's properties, the
 * environment and the command-line values come in as maps, so tests need no real environment.
 *
 * <p>Every value given in any layer is checked, not only the one that wins: a bad line in a file
 * fails today even when an environment variable hides it. Values are trimmed; an empty value
 * counts as not given. Unknown keys in the file are errors; unknown {@code REGISTRY_*}
 * variables are not (scripts use that prefix for their own settings).
 *
 * <p>As picocli's {@link CommandLine.IDefaultValueProvider} it supplies the environment and file
 * layers; picocli applies the command line on top and falls back to the option's own default.
 */
public final class LayeredConfig implements CommandLine.IDefaultValueProvider {
    private final Map<String, ConfigKey> keys;
    private final ConfigFile file;
    private final Map<String, String> belowCommandLine;
    private final Map<String, ConfigSource> sources;

    private LayeredConfig(Map<String, ConfigKey> keys, ConfigFile file, Map<String, String> belowCommandLine,
                          Map<String, ConfigSource> sources) {
        this.keys = keys;
        this.file = file;
        this.belowCommandLine = belowCommandLine;
        this.sources = sources;
    }

    /**
     * Checks every layer and picks each key's value.
     *
     * @param file        the config file, or null when none was named
     * @param env         the process environment (or a test's map)
     * @param commandLine raw command-line values by key, as typed
     * @throws ConfigException naming every problem found
     */
    public static LayeredConfig resolve(List<ConfigKey> keyList, ConfigFile file, Map<String, String> env,
                                        Map<String, String> commandLine) {
        Map<String, ConfigKey> keys = new LinkedHashMap<>();
        keyList.forEach(k -> keys.put(k.name(), k));
        List<String> problems = new ArrayList<>();
        if (file != null) {
            for (String name : new TreeSet<>(file.properties().keySet())) {
                if (!keys.containsKey(name)) {
                    problems.add(unknownKey(file, name, keys.keySet()));
                }
            }
        }
        Map<String, String> below = new LinkedHashMap<>();
        Map<String, ConfigSource> sources = new LinkedHashMap<>();
        for (ConfigKey key : keys.values()) {
            Map<ConfigSource, String> given = new EnumMap<>(ConfigSource.class);
            if (file != null) {
                given.put(ConfigSource.FILE, file.properties().get(key.name()));
            }
            given.put(ConfigSource.ENVIRONMENT, env.get(key.envVar()));
            given.put(ConfigSource.COMMAND_LINE, commandLine.get(key.name()));
            ConfigSource winner = ConfigSource.DEFAULT;
            for (Map.Entry<ConfigSource, String> e : given.entrySet()) { // lowest precedence first
                String raw = e.getValue() == null ? "" : e.getValue().trim();
                if (raw.isEmpty()) {
                    continue;
                }
                Optional<String> value = key.type().canonical().apply(raw);
                if (value.isEmpty()) {
                    problems.add("invalid value for " + key.name() + " from " + origin(e.getKey(), key, file) + ": '"
                            + key.display(raw) + "'; expected " + key.type().expected());
                    continue;
                }
                winner = e.getKey();
                if (winner != ConfigSource.COMMAND_LINE) {
                    below.put(key.name(), value.get());
                }
            }
            sources.put(key.name(), winner);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new LayeredConfig(keys, file, below, sources);
    }

    /** Where a key's value came from; unknown keys and keys given nowhere are {@code DEFAULT}. */
    public ConfigSource source(String key) {
        return sources.getOrDefault(key, ConfigSource.DEFAULT);
    }

    /** The environment's or else the file's value of a key (canonical form), ignoring the command line. */
    public Optional<String> belowCommandLine(String key) {
        return Optional.ofNullable(belowCommandLine.get(key));
    }

    public Optional<ConfigFile> file() {
        return Optional.ofNullable(file);
    }

    /** "session-port (from environment variable REGISTRY_SESSION_PORT)", for messages about combinations. */
    public String describe(String key) {
        ConfigKey k = keys.get(key);
        ConfigSource s = source(key);
        return k == null || s == ConfigSource.DEFAULT ? key + " (default)" : key + " (from " + origin(s, k, file) + ")";
    }

    /** One line for the startup log: the file, and which keys came from where. Keys only, never values. */
    public String summary() {
        StringBuilder sb = new StringBuilder("configuration: ");
        sb.append(file == null ? "no config file" : "config file " + file.path().toAbsolutePath().normalize()
                + " (named by " + file.namedBy() + ")");
        for (ConfigSource s : List.of(ConfigSource.FILE, ConfigSource.ENVIRONMENT, ConfigSource.COMMAND_LINE)) {
            List<String> from = sources.entrySet().stream().filter(e -> e.getValue() == s).map(Map.Entry::getKey).toList();
            sb.append("; from ").append(s.label()).append(": ").append(from.isEmpty() ? "-" : String.join(", ", from));
        }
        return sb.append("; all other keys default").toString();
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (argSpec instanceof OptionSpec option) {
            return belowCommandLine.get(keyOf(option));
        }
        return null;
    }

    /** The config key of a command-line option: its long name without the dashes. */
    public static String keyOf(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    private static String origin(ConfigSource source, ConfigKey key, ConfigFile file) {
        return switch (source) {
            case FILE -> "config file " + file.path();
            case ENVIRONMENT -> "environment variable " + key.envVar();
            case COMMAND_LINE -> "command line " + key.flag();
            case DEFAULT -> "the built-in default";
        };
    }

    private static String unknownKey(ConfigFile file, String name, Collection<String> known) {
        String message = "config file " + file.path() + ": unknown key '" + name + "'";
        return closest(name, known).map(k -> message + "; did you mean '" + k + "'?")
                .orElse(message + "; docs/configuration.md lists every key");
    }

    /**
     * The known key nearest to {@code typed} by edit distance, if near enough to be a typo. The
     * typed key is first read the way people misspell it: {@code --session-port},
     * {@code SESSION_PORT}, {@code session.port}.
     */
    public static Optional<String> closest(String typed, Collection<String> known) {
        String normal = typed.trim().replaceFirst("^-+", "").replaceFirst("(?i)^registry_", "")
                .toLowerCase(Locale.ROOT).replace('_', '-').replace('.', '-');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(normal, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, best.length() / 3) ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
