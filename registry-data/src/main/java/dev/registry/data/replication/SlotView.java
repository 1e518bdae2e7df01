package dev.registry.data.replication;

import java.util.Map;

/** One slot as a data server sees it ({@link SlotReplication#view}), for the admin endpoint. */
public record SlotView(int slot, String role, String logId, long lastSeq, Map<String, Long> lagEntries,
                       Map<String, Long> lagMillis, boolean readable, String leader, long appliedSeq,
                       boolean snapshotting) {
}
