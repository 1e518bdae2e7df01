package dev.registry.examples.sofarpc;

/** Logging set up before any SOFA class loads; the first thing both mains do. */
final class Logging {
    private Logging() {
    }

    static void quiet() {
        // sofa-common-tools' own logging setup (a logback of its own, files under ~/logs) off: SOFARPC and
        // SOFARegistry's client log through SLF4J instead, to the console (slf4j-simple, WARN and above).
        System.setProperty("logback.middleware.log.disable", "true");
        setDefault("sofa.middleware.log.internal.level", "ERROR"); // not the notices that it is off
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
