package dev.registry.common.protocol;

import dev.registry.common.model.Publisher;
import java.io.Serializable;

/** Session -> slot leader: put a publisher (idempotent; the higher client version wins). Wire DTO. */
public final class WritePublisherRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private Publisher publisher;

    @SuppressWarnings("unused")
    private WritePublisherRequest() {
    }

    public WritePublisherRequest(long epoch, int slotId, Publisher publisher) {
        this.epoch = epoch;
        this.slotId = slotId;
        this.publisher = publisher;
    }

    public long epoch() {
        return epoch;
    }

    public int slotId() {
        return slotId;
    }

    public Publisher publisher() {
        return publisher;
    }

    @Override
    public String toString() {
        return "WritePublisherRequest{" + "epoch=" + epoch + " slotId=" + slotId + " publisher=" + publisher + "}";
    }
}
