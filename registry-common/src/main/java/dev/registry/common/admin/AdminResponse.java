package dev.registry.common.admin;

import java.util.Map;

/** Status and body; the body is rendered as JSON unless a content type is given for a String body. */
public record AdminResponse(int status, Object body, String contentType) {

    public static AdminResponse ok(Object body) {
        return new AdminResponse(200, body, null);
    }

    public static AdminResponse text(int status, String text, String contentType) {
        return new AdminResponse(status, text, contentType);
    }

    public static AdminResponse error(int status, String message) {
        return new AdminResponse(status, Map.of("error", message), null);
    }
}
