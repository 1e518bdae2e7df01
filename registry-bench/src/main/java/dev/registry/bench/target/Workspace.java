package dev.registry.bench.target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the systems under test live during a run: logs and data folders, the runnable jar of
 * ours, the SOFARegistry jars (outside every classpath of ours).
 */
public record Workspace(Path dir, Path serverJar, Path sofaHome, String netnsName) {

    public Path dir(String name) {
        try {
            return Files.createDirectories(dir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path log(String name) {
        return dir("logs").resolve(name + ".log");
    }
}
