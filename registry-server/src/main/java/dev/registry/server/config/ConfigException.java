package dev.registry.server.config;

import java.util.List;

/**
 * A configuration a node must not start with. The message names every problem, where the
 * value came from and what is expected; it never contains a secret value.
 */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
