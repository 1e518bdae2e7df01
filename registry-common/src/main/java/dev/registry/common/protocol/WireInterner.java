package dev.registry.common.protocol;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import dev.registry.common.model.DataInfoId;

/**
 * One shared instance per distinct id and per distinct short attribute (app name, ip, zone,
 * session, connection) among what the decoders read. A registry holds the same few thousand
 * services and apps across millions of registrations: without this every stored copy carries
 * its own DataInfoId and five strings (about 400 bytes of the ~900 a copy took).
 *
 * <p>Weak: an id or string nobody holds any more is collected. Values and registerIds are
 * unique per registration, so they are interned only where the same registration is decoded
 * twice in one process: {@link #shareRegistrationStrings} (the all-in-one server, where the
 * session's copy and the data server's copy then share their strings).
 *
 * <p>Thread-safe.
 */
public final class WireInterner {
    /** Longer strings are rarely shared; they are not worth a lookup. */
    static final int MAX_INTERNED_LENGTH = 128;

    private static final Interner<DataInfoId> IDS = Interners.newWeakInterner();
    private static final Interner<String> STRINGS = Interners.newWeakInterner();
    private static final Interner<String> REGISTRATIONS = Interners.newWeakInterner();
    private static volatile boolean shareRegistrations;

    private WireInterner() {
    }

    /** The shared instance equal to the id with these parts (not validated: see {@link DataInfoId#unchecked}). */
    public static DataInfoId id(String dataId, String group, String instanceId) {
        return IDS.intern(DataInfoId.unchecked(string(dataId), string(group), string(instanceId)));
    }

    /** The shared instance of an id already built. */
    public static DataInfoId id(DataInfoId id) {
        return id == null ? null : IDS.intern(id);
    }

    /**
     * Whether publisher registerIds and values are interned too. Worth it only where one process
     * decodes the same registration twice: a session and a data server in one JVM (the all-in-one
     * launcher turns it on), where it keeps one copy of each value instead of two for the price of
     * an interner entry (about 40 of the ~300 bytes a 200-byte value and its id take). Elsewhere
     * it would only cost that entry.
     */
    public static void shareRegistrationStrings(boolean on) {
        shareRegistrations = on;
    }

    public static boolean sharesRegistrations() {
        return shareRegistrations;
    }

    /** A publisher's registerId or value: the shared instance when {@link #shareRegistrationStrings} is on. */
    public static String registration(String s) {
        return s == null || !shareRegistrations ? s : REGISTRATIONS.intern(s);
    }

    /** The shared instance of a short string; longer ones and null are returned as they are. */
    public static String string(String s) {
        return s == null || s.length() > MAX_INTERNED_LENGTH ? s : STRINGS.intern(s);
    }
}
