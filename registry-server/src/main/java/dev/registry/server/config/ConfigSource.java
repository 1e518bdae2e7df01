package dev.registry.server.config;

/** Where a setting's value came from, lowest precedence first. */
public enum ConfigSource {
    DEFAULT("default"),
    FILE("file"),
    ENVIRONMENT("environment"),
    COMMAND_LINE("command line");

    private final String label;

    ConfigSource(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
