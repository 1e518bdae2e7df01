package dev.registry.dubbo;

import dev.registry.common.model.DataInfoId;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * How Dubbo's names become {@link DataInfoId}s. One place, so the registry, the service discovery
 * and the mapping can never disagree:
 *
 * <ul>
 *   <li>interface-level URL: dataId = the service interface, group = {@code <prefix>_<CATEGORY>}
 *       ({@code DUBBO_PROVIDERS}, {@code DUBBO_CONSUMERS}, {@code DUBBO_ROUTERS},
 *       {@code DUBBO_CONFIGURATORS}); Dubbo's group/version/classifier stay inside the URL value and
 *       are matched on the consumer, as Dubbo's ZooKeeper registry scopes its nodes. One id per
 *       interface is what makes a consumer with group {@code *} or {@code a,b} (group merging)
 *       work without any catalog search, and makes a category group's catalog the list of
 *       interfaces that the {@code *} subscription of admin tools needs;</li>
 *   <li>application instance: dataId = the application name, group {@code <prefix>_APPS};</li>
 *   <li>interface -> application mapping: dataId = the interface, group {@code <prefix>_MAPPING}.</li>
 * </ul>
 *
 * <p>A dataId must not contain {@code #@#}, end with {@code #@}, contain control characters or
 * have whitespace at either end. Java interface names never do, but Dubbo accepts any string as a
 * service name (generic and Triple services), so {@code %}, {@code #}, {@code @}, whitespace and
 * control characters are percent-encoded (UTF-8): the identity for every ordinary name, and
 * reversible for the catalog. A name longer than 256 characters (after encoding) is refused by
 * {@link DataInfoId#of} with a clear message.
 */
final class DubboNames {
    static final String DEFAULT_PREFIX = "DUBBO";
    static final String APPS = "APPS";
    static final String MAPPING = "MAPPING";

    private DubboNames() {
    }

    static String categoryGroup(String prefix, String category) {
        return prefix + "_" + category.toUpperCase(Locale.ROOT);
    }

    static DataInfoId id(String name, String group, String instanceId) {
        return DataInfoId.of(escape(name), group, instanceId);
    }

    static String escape(String name) {
        StringBuilder out = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean unsafe = c == '%' || c == '#' || c == '@' || Character.isWhitespace(c) || Character.isISOControl(c);
            if (unsafe && out == null) {
                out = new StringBuilder(name.length() + 8).append(name, 0, i);
            }
            if (out != null) {
                if (unsafe) {
                    for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
                        out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                                .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
                    }
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? name : out.toString();
    }

    static String unescape(String dataId) {
        if (dataId.indexOf('%') < 0) {
            return dataId;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < dataId.length(); i++) {
            char c = dataId.charAt(i);
            if (c == '%' && i + 2 < dataId.length()) {
                bytes.write(Integer.parseInt(dataId.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
