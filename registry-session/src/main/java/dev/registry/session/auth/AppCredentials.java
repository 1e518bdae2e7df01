package dev.registry.session.auth;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The apps a session accepts, from an apps file (properties; reloaded without restart):
 * <pre>
 * demo.accessKey=AK-demo
 * demo.secretKey=...          # at least 16 characters
 * demo.publish=demo.*,shared  # DataId patterns the app may publish (default: none)
 * demo.subscribe=*            # and subscribe to (default: *)
 * </pre>
 * A pattern is a dataId, or a prefix followed by {@code *}. Parsing errors name the file and
 * the key, never a secret.
 */
public final class AppCredentials {

    /** One app: its keys and what it may do. */
    public record App(String name, String accessKey, String secretKey, List<String> publish, List<String> subscribe) {
        public boolean mayPublish(String dataId) {
            return matches(publish, dataId);
        }

        public boolean maySubscribe(String dataId) {
            return matches(subscribe, dataId);
        }

        private static boolean matches(List<String> patterns, String dataId) {
            for (String p : patterns) {
                if (p.equals("*") || p.equals(dataId) || p.endsWith("*") && dataId.startsWith(p.substring(0, p.length() - 1))) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return "App[" + name + ", accessKey=" + accessKey + ", publish=" + publish + ", subscribe=" + subscribe + "]";
        }
    }

    public static final int MIN_SECRET_LENGTH = 16;

    private final Map<String, App> byAccessKey;

    private AppCredentials(Map<String, App> byAccessKey) {
        this.byAccessKey = Map.copyOf(byAccessKey);
    }

    public App byAccessKey(String accessKey) {
        return accessKey == null ? null : byAccessKey.get(accessKey);
    }

    public int size() {
        return byAccessKey.size();
    }

    public static AppCredentials read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read apps file " + file + ": " + e.getMessage(), e);
        }
        return parse(p, file.toString());
    }

    static AppCredentials parse(Properties p, String source) {
        TreeSet<String> apps = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            int dot = key.lastIndexOf('.');
            String field = dot < 0 ? "" : key.substring(dot + 1);
            if (dot <= 0 || !List.of("accessKey", "secretKey", "publish", "subscribe").contains(field)) {
                throw new IllegalArgumentException(source + ": unknown key '" + key
                        + "' (expected APP.accessKey, APP.secretKey, APP.publish, APP.subscribe)");
            }
            apps.add(key.substring(0, dot));
        }
        Map<String, App> byKey = new LinkedHashMap<>();
        for (String app : apps) {
            String accessKey = p.getProperty(app + ".accessKey", "").trim();
            String secret = p.getProperty(app + ".secretKey", "").trim();
            if (accessKey.isEmpty()) {
                throw new IllegalArgumentException(source + ": " + app + ".accessKey is missing");
            }
            if (secret.length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException(source + ": " + app + ".secretKey is missing or shorter than "
                        + MIN_SECRET_LENGTH + " characters");
            }
            if (byKey.containsKey(accessKey)) {
                throw new IllegalArgumentException(source + ": access key of " + app + " is also "
                        + byKey.get(accessKey).name() + "'s");
            }
            byKey.put(accessKey, new App(app, accessKey, secret, patterns(p.getProperty(app + ".publish", "")),
                    patterns(p.getProperty(app + ".subscribe", "*"))));
        }
        return new AppCredentials(byKey);
    }

    private static List<String> patterns(String list) {
        List<String> out = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return List.copyOf(out);
    }
}
