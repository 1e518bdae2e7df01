package dev.registry.data.session;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.SessionSlotDigestRequest;
import dev.registry.common.protocol.SessionSlotDigestResponse;
import dev.registry.data.store.DatumStore;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A slot leader's answer to one page of a session's digest: which of the listed publishers it
 * lacks or holds stale ({@code needed}, by index), and which publishers it holds from that
 * session within the page's range that the page did not list ({@code extras}). At most
 * {@link #MAX_EXTRAS} extras go into one answer, so the answer stays small however many stale
 * publishers the leader holds; the session removes those and runs again. Pure.
 */
public final class SessionDigestCheck {
    /** Extras listed per answer at most. */
    public static final int MAX_EXTRAS = 4096;

    private SessionDigestCheck() {
    }

    /**
     * @param held    what this leader holds from the request's session in the slot
     * @param checkId validates a listed id (its slot, its form) and returns it; throws to refuse the request
     */
    public static SessionSlotDigestResponse compare(SessionSlotDigestRequest request,
                                                    Map<DatumStore.PublisherRef, Publisher> held,
                                                    Function<DataInfoId, DataInfoId> checkId) {
        if (request.sessionId() == null || request.dataInfoIds() == null || request.registerIds() == null
                || request.stamps() == null || request.dataInfoIds().size() != request.registerIds().size()
                || request.registerIds().size() != request.stamps().size()) {
            throw new IllegalArgumentException("digest needs a sessionId and parallel lists of equal length");
        }
        ArrayList<Integer> needed = new ArrayList<>();
        Set<DatumStore.PublisherRef> listed = new HashSet<>();
        for (int i = 0; i < request.dataInfoIds().size(); i++) {
            DataInfoId id = checkId.apply(request.dataInfoIds().get(i));
            String registerId = request.registerIds().get(i);
            if (!request.covers(new SessionSlotDigestRequest.Key(id, registerId))) {
                throw new IllegalArgumentException("digest page lists " + id + " outside its range");
            }
            DatumStore.PublisherRef ref = new DatumStore.PublisherRef(id, registerId);
            listed.add(ref);
            Publisher p = held.get(ref);
            if (p == null || !p.syncStamp().equals(request.stamps().get(i))) {
                needed.add(i);
            }
        }
        ArrayList<DataInfoId> extraIds = new ArrayList<>();
        ArrayList<String> extraRegisterIds = new ArrayList<>();
        ArrayList<String> extraConnectionIds = new ArrayList<>();
        boolean truncated = false;
        for (Map.Entry<DatumStore.PublisherRef, Publisher> e : held.entrySet()) {
            DatumStore.PublisherRef ref = e.getKey();
            if (listed.contains(ref) || !request.covers(new SessionSlotDigestRequest.Key(ref.dataInfoId(),
                    ref.registerId()))) {
                continue;
            }
            if (extraIds.size() == MAX_EXTRAS) {
                truncated = true;
                break;
            }
            extraIds.add(ref.dataInfoId());
            extraRegisterIds.add(ref.registerId());
            extraConnectionIds.add(e.getValue().connectionId());
        }
        SessionSlotDigestResponse answer = new SessionSlotDigestResponse(needed, extraIds, extraRegisterIds,
                extraConnectionIds);
        return truncated ? answer.withExtrasTruncated() : answer;
    }
}
