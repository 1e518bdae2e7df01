package dev.registry.client;

import dev.registry.common.model.DataInfoId;

import java.util.List;
import java.util.Map;

/**
 * The full current provider list of one service as pushed by the registry.
 *
 * @param version      datum version; strictly increases between callbacks of one subscription
 * @param values       every publisher's values
 * @param valuesByZone the same values grouped by the publishers' zone ({@code ""} = no zone)
 */
public record SubscriptionData(DataInfoId dataInfoId, long version, List<String> values,
                               Map<String, List<String>> valuesByZone) {

    /** Values of publishers in {@code zone}, or every value if that zone has none (fallback for locality). */
    public List<String> preferZone(String zone) {
        List<String> local = valuesByZone.get(zone);
        return local == null || local.isEmpty() ? values : local;
    }
}
