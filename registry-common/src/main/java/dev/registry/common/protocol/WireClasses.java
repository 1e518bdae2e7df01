package dev.registry.common.protocol;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Datum;
import dev.registry.common.model.Publisher;
import dev.registry.common.model.Subscriber;
import dev.registry.common.rpc.RpcError;
import dev.registry.common.serialize.ClassAllowList;
import dev.registry.common.serialize.HessianSerializer;
import dev.registry.common.serialize.Serializer;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;

import java.util.List;

/** Every class our own protocol may deserialize: the one allow-list of the registry's ports. */
public final class WireClasses {
    private WireClasses() {
    }

    public static final List<Class<?>> ALL = List.of(
            RpcError.class, DataInfoId.class, Publisher.class, Subscriber.class, Datum.class,
            SlotTable.class, SlotAssignment.class,
            RegisterPublisherRequest.class,
            UnregisterPublisherRequest.class,
            RegisterSubscriberRequest.class,
            UnregisterSubscriberRequest.class,
            RegisterAck.class,
            RegisterPublishersRequest.class, RegisterPublishersResponse.class,
            PushRequest.class,
            PushAck.class, ZoneSplice.class,
            SessionHello.class,
            WritePublisherRequest.class,
            RemovePublisherRequest.class,
            WriteResult.class,
            LeaderWritesRequest.class, LeaderWritesResponse.class,
            FetchDatumRequest.class,
            DatumValues.class,
            DataChangeNotice.class,
            DataServerHeartbeat.class,
            SessionServerHeartbeat.class,
            HeartbeatResponse.class,
            GetSlotTableRequest.class,
            SlotTableChanged.class,
            DatumVersionsRequest.class,
            DatumVersions.class,
            OpLogEntry.class, ReplicateRequest.class, ReplicateResponse.class, SlotSnapshotDigestRequest.class,
            SlotSnapshotDigest.class, FetchDatumsRequest.class, DatumBatch.class, SessionSlotDigestRequest.class,
            SessionSlotDigestResponse.class, SlotSyncDone.class, DataServerLeaving.class, DataServerUnreachable.class,
            ReconnectRequest.class, SessionListRequest.class, SessionList.class, ClientHello.class,
            AuthRequest.class, AuthResult.class,
            CatalogQuery.class, CatalogPage.class, DataCatalogRequest.class, CatalogWatchRequest.class,
            CatalogChanged.class,
            MetaRedirect.class, OperationalSwitches.class);

    public static ClassAllowList allowList() {
        return ClassAllowList.of(ALL);
    }

    /** The serializer every role and the client use on our own protocol (hot-path messages compact, the rest Hessian). */
    public static Serializer serializer() {
        return new WireSerializer(hessianSerializer());
    }

    /** Hessian only, with the allow-list: what peers of earlier builds speak. */
    public static Serializer hessianSerializer() {
        return new HessianSerializer(allowList());
    }
}
