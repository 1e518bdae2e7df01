package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;

/** Session -> slot leader: the current datum of one DataInfoId (an empty datum with version 0 if none). Wire DTO. */
public final class FetchDatumRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private DataInfoId dataInfoId;
    /** Admin query: this server's own copy, leader or follower, without the read gate. */
    private boolean localCopy;
    /** Push rounds: only the values by zone ({@link DatumValues}), not every publisher's attributes. */
    private boolean valuesOnly;

    @SuppressWarnings("unused")
    private FetchDatumRequest() {
    }

    public FetchDatumRequest(long epoch, DataInfoId dataInfoId) {
        this.epoch = epoch;
        this.dataInfoId = dataInfoId;
    }

    /** Asks a slot's leader or follower for its own copy, as it is now (admin queries; never served to clients). */
    public static FetchDatumRequest localCopy(DataInfoId dataInfoId) {
        FetchDatumRequest r = new FetchDatumRequest(0, dataInfoId);
        r.localCopy = true;
        return r;
    }

    /** What a push round needs from the slot leader: the values by zone at the current version. */
    public static FetchDatumRequest forPush(long epoch, DataInfoId dataInfoId) {
        FetchDatumRequest r = new FetchDatumRequest(epoch, dataInfoId);
        r.valuesOnly = true;
        return r;
    }

    public boolean isValuesOnly() {
        return valuesOnly;
    }

    public boolean isLocalCopy() {
        return localCopy;
    }

    public long epoch() {
        return epoch;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    @Override
    public String toString() {
        return "FetchDatumRequest{" + "epoch=" + epoch + " dataInfoId=" + dataInfoId
                + (localCopy ? " localCopy" : "") + (valuesOnly ? " valuesOnly" : "") + "}";
    }
}
