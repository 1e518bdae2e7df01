package dev.registry.common.admin;

import ch.qos.logback.classic.Level;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/** Admin endpoints every role has: build info and a runtime log-level change. */
public final class CommonAdminRoutes {
    private static final long STARTED_AT = System.currentTimeMillis();

    private CommonAdminRoutes() {
    }

    public static void register(AdminHttpServer http, String role) {
        http.get("/api/v1/version", r -> {
            Map<String, Object> out = new LinkedHashMap<>();
            Package pkg = CommonAdminRoutes.class.getPackage();
            out.put("role", role);
            out.put("version", pkg.getImplementationVersion() != null ? pkg.getImplementationVersion() : "0.1.0-SNAPSHOT");
            out.put("java", System.getProperty("java.version"));
            out.put("startedAtMillis", STARTED_AT);
            return AdminResponse.ok(out);
        });
        http.post("/api/v1/log-level", r -> {
            String logger = r.param("logger") == null ? org.slf4j.Logger.ROOT_LOGGER_NAME : r.param("logger");
            String levelName = r.requireParam("level");
            Level level = Level.toLevel(levelName, null);
            if (level == null) {
                throw new IllegalArgumentException("level must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF; got '"
                        + levelName + "'");
            }
            org.slf4j.Logger target = LoggerFactory.getLogger(logger);
            if (!(target instanceof ch.qos.logback.classic.Logger logback)) {
                return AdminResponse.error(501, "log levels can be changed only when Logback is the SLF4J backend");
            }
            logback.setLevel(level);
            return AdminResponse.ok(Map.of("logger", logger, "level", level.toString()));
        });
    }
}
