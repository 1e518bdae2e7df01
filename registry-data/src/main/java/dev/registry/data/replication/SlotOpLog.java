package dev.registry.data.replication;

import dev.registry.common.protocol.OpLogEntry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The operation log of one slot on its leader: effective changes numbered 1, 2, 3 ... within
 * one leadership ({@code logId}). Memory is bounded: entries every follower acknowledged are
 * truncated, and beyond {@code maxEntries} the oldest are dropped — a follower that needs
 * them then catches up by snapshot instead.
 *
 * <p>Pure. Not thread-safe: the owner synchronizes.
 */
public final class SlotOpLog {
    private final String logId;
    private final int maxEntries;
    private final Deque<OpLogEntry> entries = new ArrayDeque<>();
    private long lastSeq;

    public SlotOpLog(String logId, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.logId = logId;
        this.maxEntries = maxEntries;
    }

    public String logId() {
        return logId;
    }

    /** Sequence number of the newest entry (0 if none yet). */
    public long lastSeq() {
        return lastSeq;
    }

    /** Sequence number of the oldest entry still held, or lastSeq + 1 if empty. */
    public long firstSeq() {
        return entries.isEmpty() ? lastSeq + 1 : entries.peekFirst().seq();
    }

    /** Appends a change; the entry's seq is assigned here. Returns it. */
    public OpLogEntry append(int kind, dev.registry.common.model.Publisher publisher,
                             dev.registry.common.model.DataInfoId id, String registerId, long version,
                             long changedAtMillis) {
        OpLogEntry e = new OpLogEntry(++lastSeq, kind, publisher, id, registerId, version, changedAtMillis);
        entries.addLast(e);
        while (entries.size() > maxEntries) {
            entries.removeFirst();
        }
        return e;
    }

    /**
     * Up to {@code max} entries starting at {@code fromSeq}, or null if {@code fromSeq} was
     * already truncated (the follower must take a snapshot).
     */
    public List<OpLogEntry> from(long fromSeq, int max) {
        if (fromSeq < firstSeq()) {
            return null;
        }
        List<OpLogEntry> out = new ArrayList<>();
        for (OpLogEntry e : entries) {
            if (e.seq() >= fromSeq) {
                out.add(e);
                if (out.size() >= max) {
                    break;
                }
            }
        }
        return out;
    }

    /** Drops entries up to and including {@code seq} (all followers have them). */
    public void truncateThrough(long seq) {
        while (!entries.isEmpty() && entries.peekFirst().seq() <= seq) {
            entries.removeFirst();
        }
    }

    public int size() {
        return entries.size();
    }
}
