package dev.registry.server.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A node's {@code .properties} file (UTF-8), as read once at startup.
 *
 * @param namedBy what pointed at it, for messages: {@code --config} or {@code REGISTRY_CONFIG}
 */
public record ConfigFile(Path path, String namedBy, Map<String, String> properties) {

    public ConfigFile {
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** Reads the file; a missing, unreadable or malformed file is a {@link ConfigException}. */
    public static ConfigFile read(Path path, String namedBy) {
        String where = "config file " + path + " (named by " + namedBy + ")";
        if (!Files.exists(path)) {
            throw new ConfigException(where + " does not exist");
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(where + " is not a regular file");
        }
        if (!Files.isReadable(path)) {
            throw new ConfigException(where + " is not readable by this user");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(where + " cannot be read as a UTF-8 properties file: " + e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            out.put(key, p.getProperty(key));
        }
        return new ConfigFile(path, namedBy, out);
    }

    @Override
    public String toString() {
        return "ConfigFile[" + path + ", keys=" + properties.keySet() + "]"; // never the values
    }
}
