package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * Session -> client: the current list of one DataInfoId for the listed subscribers of that
 * connection. The client acks with {@link PushAck}. Wire DTO.
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

    @SuppressWarnings("unused")
    private PushRequest() {
    }

    public PushRequest(DataInfoId dataInfoId, long version, ArrayList<String> subscriberIds, LinkedHashMap<String, ArrayList<String>> valuesByZone) {
        this.dataInfoId = dataInfoId;
        this.version = version;
        this.subscriberIds = subscriberIds;
        this.valuesByZone = valuesByZone;
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
        return "PushRequest{" + "dataInfoId=" + dataInfoId + " version=" + version + " subscriberIds=" + subscriberIds + " valuesByZone=" + valuesByZone + "}";
    }
}
