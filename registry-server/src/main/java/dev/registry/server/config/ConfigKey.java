package dev.registry.server.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One setting of a node: its key in the config file ({@code session-port}), its environment
 * variable ({@code REGISTRY_SESSION_PORT}) and command-line flag ({@code --session-port}) follow
 * from the key. A secret's value is shown as {@code ***} everywhere.
 */
public record ConfigKey(String name, ValueType type, boolean secret) {
    public static final String ENV_PREFIX = "REGISTRY_";
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&;]*");

    public static ConfigKey of(String name, ValueType type) {
        return new ConfigKey(name, type, false);
    }

    public static ConfigKey secret(String name, ValueType type) {
        return new ConfigKey(name, type, true);
    }

    public String envVar() {
        return envVarOf(name);
    }

    public String flag() {
        return "--" + name;
    }

    /** The value as messages and logs may show it. */
    public String display(String value) {
        return secret ? "***" : PASSWORD_IN_URL.matcher(value).replaceAll("$1***");
    }

    /** {@code REGISTRY_} + the key upper-cased, dashes to underscores. */
    public static String envVarOf(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
