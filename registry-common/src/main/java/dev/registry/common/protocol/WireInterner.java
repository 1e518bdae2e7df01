package dev.registry.common.protocol;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;

/**
 * One shared instance per distinct id and per distinct short attribute (app name, ip, zone,
 * session, connection) among what the decoders read. A registry holds the same few thousand
 * services and apps across millions of registrations: without this every stored copy carries
 * its own DataInfoId and five strings (about 400 bytes of the ~900 a copy took).
 *
 * <p>Weak: an id or string nobody holds any more is collected. Publishers (with their values
 * and registerIds) are unique per registration, so they are interned only where one process
 * holds the same registration twice: {@link #shareRegistrations} (the all-in-one server, where
 * the data server then stores the very publisher object its session holds).
 *
 * <p>Thread-safe.
 */
public final class WireInterner {
    /** Longer strings are rarely shared; they are not worth a lookup. */
    static final int MAX_INTERNED_LENGTH = 128;

    private static final Interner<DataInfoId> IDS = Interners.newWeakInterner();
    private static final Interner<String> STRINGS = Interners.newWeakInterner();
    private static final Interner<Publisher> REGISTRATIONS = Interners.newWeakInterner();
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
     * Whether publishers are interned too. Worth it only where one process holds the same
     * registration twice: a session and a data server in one JVM (the all-in-one launcher turns
     * it on). The session interns each publisher it stores, the data server each one it is asked
     * to write, so both keep one object (values, registerId and all) instead of two, for the price
     * of one interner entry (about 40 of the ~400 bytes a publisher with a 200-byte value takes).
     * Elsewhere it would only cost that entry.
     */
    public static void shareRegistrations(boolean on) {
        shareRegistrations = on;
    }

    /** The shared instance of an equal publisher when {@link #shareRegistrations} is on; else the publisher itself. */
    public static Publisher registration(Publisher p) {
        return p == null || !shareRegistrations ? p : REGISTRATIONS.intern(p);
    }

    /** The shared instance of a short string; longer ones and null are returned as they are. */
    public static String string(String s) {
        return s == null || s.length() > MAX_INTERNED_LENGTH ? s : STRINGS.intern(s);
    }
}
