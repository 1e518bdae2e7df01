package dev.registry.session.store;

import dev.registry.common.model.DataInfoId;

/** Identifies one publisher registration across updates and reconnects. */
public record PublisherKey(DataInfoId dataInfoId, String registerId) {
}
