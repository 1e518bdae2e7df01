package dev.registry.common.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * The key of one service: {@code dataId} + {@code group} + {@code instanceId} (tenant).
 *
 * <p>Canonical string form: {@code dataId#@#instanceId#@#group}, the same order SOFARegistry
 * uses, so ids from both client families share one space. Each part is 1..256 characters and
 * must not contain the separator {@code #@#}, end with {@code #@} (which would make the
 * canonical form ambiguous), contain control characters, or have whitespace at either end.
 *
 * <p>A plain final class rather than a record because it travels over Hessian, which fills
 * fields reflectively after calling the no-arg constructor.
 */
public final class DataInfoId implements Serializable, Comparable<DataInfoId> {
    private static final long serialVersionUID = 1L;

    public static final String SEPARATOR = "#@#";
    public static final String DEFAULT_GROUP = "DEFAULT_GROUP";
    public static final String DEFAULT_INSTANCE_ID = "DEFAULT_INSTANCE_ID";
    public static final int MAX_PART_LENGTH = 256;

    private String dataId;
    private String group;
    private String instanceId;
    /*
     * Derived values, computed once per instance (ids are immutable): the slot of an id is
     * asked for on every write, push round and reconciliation, and each time used to build the
     * canonical string and hash it. Transient: never on the wire (Hessian skips them), and 0
     * means "not computed yet" (a real 0 is simply recomputed each time).
     */
    private transient int slotHash;
    private transient int hash;
    private transient String canonical;

    /** For Hessian only. */
    @SuppressWarnings("unused")
    private DataInfoId() {
    }

    private DataInfoId(String dataId, String group, String instanceId) {
        this.dataId = dataId;
        this.group = group;
        this.instanceId = instanceId;
    }

    /**
     * Creates a validated id; a null or empty group / instanceId takes its default.
     *
     * @throws IllegalArgumentException naming the bad part and why
     */
    public static DataInfoId of(String dataId, String group, String instanceId) {
        String g = group == null || group.isEmpty() ? DEFAULT_GROUP : group;
        String i = instanceId == null || instanceId.isEmpty() ? DEFAULT_INSTANCE_ID : instanceId;
        checkPart("dataId", dataId);
        checkPart("group", g);
        checkPart("instanceId", i);
        return new DataInfoId(dataId, g, i);
    }

    public static DataInfoId of(String dataId) {
        return of(dataId, null, null);
    }

    /**
     * An id as a decoder read it, not validated (as Hessian builds one): whoever handles it
     * calls {@link #validate()}, so a bad id is answered as a bad request, not a bad payload.
     */
    public static DataInfoId unchecked(String dataId, String group, String instanceId) {
        return new DataInfoId(dataId, group, instanceId);
    }

    /**
     * Parses the canonical form {@code dataId#@#instanceId#@#group}.
     *
     * @throws IllegalArgumentException if the text is not exactly three valid parts
     */
    public static DataInfoId parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("dataInfoId must not be null");
        }
        String[] parts = text.split(SEPARATOR, -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("dataInfoId must have the form dataId" + SEPARATOR
                    + "instanceId" + SEPARATOR + "group, got " + abbreviate(text));
        }
        checkPart("dataId", parts[0]);
        checkPart("instanceId", parts[1]);
        checkPart("group", parts[2]);
        return new DataInfoId(parts[0], parts[2], parts[1]);
    }

    /** Re-validates an instance that arrived over the wire (Hessian bypasses the factory). */
    public DataInfoId validate() {
        checkPart("dataId", dataId);
        checkPart("group", group);
        checkPart("instanceId", instanceId);
        return this;
    }

    private static void checkPart(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        if (value.length() > MAX_PART_LENGTH) {
            throw new IllegalArgumentException(name + " is longer than " + MAX_PART_LENGTH + " characters");
        }
        if (value.contains(SEPARATOR)) {
            throw new IllegalArgumentException(name + " must not contain '" + SEPARATOR + "': " + abbreviate(value));
        }
        if (value.endsWith("#@")) {
            // "x#@" + "#@#" reads as "x" + "#@#" + "@#...": the canonical form would not parse back.
            throw new IllegalArgumentException(name + " must not end with '#@': " + abbreviate(value));
        }
        if (Character.isWhitespace(value.charAt(0)) || Character.isWhitespace(value.charAt(value.length() - 1))) {
            throw new IllegalArgumentException(name + " must not start or end with whitespace: '" + abbreviate(value) + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(name + " must not contain control characters");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    public String dataId() {
        return dataId;
    }

    public String group() {
        return group;
    }

    public String instanceId() {
        return instanceId;
    }

    /** The canonical string form; {@link #parse} reverses it. */
    public String canonical() {
        String c = canonical;
        if (c == null) {
            c = dataId + SEPARATOR + instanceId + SEPARATOR + group;
            canonical = c;
        }
        return c;
    }

    /**
     * Murmur3 (seed 0) of the canonical UTF-8 form, as {@code SlotHash} defines it; cached.
     * A benign race: two threads may both compute the same value.
     */
    public int slotHash(java.util.function.ToIntFunction<DataInfoId> function) {
        int h = slotHash;
        if (h == 0) {
            h = function.applyAsInt(this);
            slotHash = h;
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof DataInfoId other && hashCode() == other.hashCode()
                && dataId.equals(other.dataId) && group.equals(other.group) && instanceId.equals(other.instanceId);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Objects.hash(dataId, group, instanceId);
            hash = h;
        }
        return h;
    }

    @Override
    public int compareTo(DataInfoId o) {
        return canonical().compareTo(o.canonical());
    }

    @Override
    public String toString() {
        return canonical();
    }
}
