package dev.registry.session.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * The apps file a session authenticates clients with, reloaded when it changes (checked by the
 * session's timer): a broken edit keeps the previous apps and logs one WARN naming the problem
 * (never a secret). Thread-safe.
 */
public final class AppsFile {
    private static final Logger log = LoggerFactory.getLogger(AppsFile.class);

    private final Path file;
    private volatile AppCredentials current;
    private FileTime loadedModified;
    private long loadedSize;

    /** Reads the file now: a node must not start with a broken one. */
    public AppsFile(Path file) {
        this.file = file;
        this.current = AppCredentials.read(file);
        remember();
        log.info("authentication on: {} apps from {}", current.size(), file);
    }

    public AppCredentials current() {
        return current;
    }

    /** Reloads the file if it changed since it was read; true if new apps are in force. */
    public synchronized boolean reloadIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (modified.equals(loadedModified) && size == loadedSize) {
                return false;
            }
            AppCredentials next = AppCredentials.read(file);
            current = next;
            remember();
            log.info("apps file {} reloaded: {} apps", file, next.size());
            return true;
        } catch (IllegalArgumentException | java.io.IOException e) {
            log.warn("apps file {} not reloaded, the previous apps stay in force: {}", file, e.getMessage());
            remember(); // one WARN per broken edit, not one per check
            return false;
        }
    }

    private void remember() {
        try {
            loadedModified = Files.getLastModifiedTime(file);
            loadedSize = Files.size(file);
        } catch (java.io.IOException e) {
            loadedModified = null;
        }
    }
}
