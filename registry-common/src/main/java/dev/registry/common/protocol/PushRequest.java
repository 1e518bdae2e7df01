package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Session -> client: the current list of one DataInfoId for the listed subscribers of that
 * connection. The client acks with {@link PushAck}. Wire DTO.
 *
 * <p>A delta push ({@link #isDelta}) carries, instead of the list, the {@link ZoneSplice}s that
 * turn version {@link #baseVersion} into {@code version}, and the {@link
 * dev.registry.common.model.ContentFingerprint} of the result; only clients that announced
 * {@link ClientHello#FEATURE_PUSH_DELTAS} get one. A client that does not hold the base version,
 * or whose result does not match the fingerprint, answers {@link PushAck#resync}.
 *
 * <p>{@code valuesByZone} is never changed once it is in a request: a push round hands the one
 * map of its datum to the pushes of every connection, and the codec encodes it once per round.
 */
public final class PushRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private DataInfoId dataInfoId;
    private long version;
    private ArrayList<String> subscriberIds;
    private LinkedHashMap<String, ArrayList<String>> valuesByZone;
    /** 0 for a full push. */
    private long baseVersion;
    private long fingerprint;
    private ArrayList<ZoneSplice> splices;

    @SuppressWarnings("unused")
    private PushRequest() {
    }

    public PushRequest(DataInfoId dataInfoId, long version, ArrayList<String> subscriberIds, LinkedHashMap<String, ArrayList<String>> valuesByZone) {
        this.dataInfoId = dataInfoId;
        this.version = version;
        this.subscriberIds = subscriberIds;
        this.valuesByZone = valuesByZone;
    }

    /** A delta push: {@code splices} turn the subscribers' {@code baseVersion} into {@code version}. */
    public static PushRequest delta(DataInfoId dataInfoId, long version, ArrayList<String> subscriberIds,
                                    long baseVersion, long fingerprint, List<ZoneSplice> splices) {
        if (baseVersion <= 0 || baseVersion >= version) {
            throw new IllegalArgumentException("a delta push needs 0 < baseVersion < version, got " + baseVersion
                    + " and " + version);
        }
        PushRequest p = new PushRequest(dataInfoId, version, subscriberIds, null);
        p.baseVersion = baseVersion;
        p.fingerprint = fingerprint;
        p.splices = new ArrayList<>(splices);
        return p;
    }

    public boolean isDelta() {
        return baseVersion > 0;
    }

    public long baseVersion() {
        return baseVersion;
    }

    public long fingerprint() {
        return fingerprint;
    }

    public List<ZoneSplice> splices() {
        return splices == null ? List.of() : splices;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    public long version() {
        return version;
    }

    public ArrayList<String> subscriberIds() {
        return subscriberIds;
    }

    public LinkedHashMap<String, ArrayList<String>> valuesByZone() {
        return valuesByZone;
    }

    @Override
    public String toString() {
        return "PushRequest{" + "dataInfoId=" + dataInfoId + " version=" + version + " subscriberIds=" + subscriberIds
                + (isDelta() ? " delta from " + baseVersion + " " + splices : " valuesByZone=" + valuesByZone) + "}";
    }
}
