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
 * <p>Weak: an id or string nobody holds any more is collected. Values and registerIds are not
 * interned (unique per registration: interning would only cost a lookup).
 *
 * <p>Thread-safe.
 */
public final class WireInterner {
    /** Longer strings are rarely shared; they are not worth a lookup. */
    static final int MAX_INTERNED_LENGTH = 128;

    private static final Interner<DataInfoId> IDS = Interners.newWeakInterner();
    private static final Interner<String> STRINGS = Interners.newWeakInterner();

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

    /** The shared instance of a short string; longer ones and null are returned as they are. */
    public static String string(String s) {
        return s == null || s.length() > MAX_INTERNED_LENGTH ? s : STRINGS.intern(s);
    }
}
