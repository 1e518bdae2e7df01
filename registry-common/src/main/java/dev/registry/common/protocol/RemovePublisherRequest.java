package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import java.io.Serializable;

/**
 * Session -> slot leader: remove a publisher, but only the registration stamped with the given
 * connection (a newer one from another connection stays). Wire DTO.
 *
 * <p>A {@linkplain #leftBehind left-behind} removal is the unregister of a client whose
 * registration this session does not hold: the client moved here from a session that died before
 * it re-registered. The leader removes it only if the stored registration came through a session
 * that is no longer connected (or through the asking one) and, when {@code appName} is given, is
 * of that app: a live session withdraws its own registrations when their client leaves.
 */
public final class RemovePublisherRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private long epoch;
    private int slotId;
    private DataInfoId dataInfoId;
    private String registerId;
    private String connectionId;
    private boolean leftBehind;
    private String appName;

    @SuppressWarnings("unused")
    private RemovePublisherRequest() {
    }

    public RemovePublisherRequest(long epoch, int slotId, DataInfoId dataInfoId, String registerId, String connectionId) {
        this.epoch = epoch;
        this.slotId = slotId;
        this.dataInfoId = dataInfoId;
        this.registerId = registerId;
        this.connectionId = connectionId;
    }

    /** The unregister of a registration the asking session does not hold (see the class comment). */
    public static RemovePublisherRequest leftBehind(long epoch, int slotId, DataInfoId dataInfoId, String registerId,
                                                    String appName) {
        RemovePublisherRequest r = new RemovePublisherRequest(epoch, slotId, dataInfoId, registerId, null);
        r.leftBehind = true;
        r.appName = appName;
        return r;
    }

    public long epoch() {
        return epoch;
    }

    public int slotId() {
        return slotId;
    }

    public DataInfoId dataInfoId() {
        return dataInfoId;
    }

    public String registerId() {
        return registerId;
    }

    public String connectionId() {
        return connectionId;
    }

    public boolean leftBehind() {
        return leftBehind;
    }

    /** With {@link #leftBehind}: the app the registration must be of (authentication on), else null. */
    public String appName() {
        return appName;
    }

    @Override
    public String toString() {
        return "RemovePublisherRequest{" + "epoch=" + epoch + " slotId=" + slotId + " dataInfoId=" + dataInfoId + " registerId=" + registerId + " connectionId=" + connectionId
                + (leftBehind ? " leftBehind appName=" + appName : "") + "}";
    }
}
