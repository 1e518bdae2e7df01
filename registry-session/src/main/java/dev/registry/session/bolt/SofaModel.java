package dev.registry.session.bolt;

import com.alipay.sofa.registry.core.model.BaseRegister;
import com.alipay.sofa.registry.core.model.ConfiguratorRegister;
import com.alipay.sofa.registry.core.model.DataBox;
import com.alipay.sofa.registry.core.model.PublisherRegister;
import com.alipay.sofa.registry.core.model.ReceivedData;
import com.alipay.sofa.registry.core.model.RegisterResponse;
import com.alipay.sofa.registry.core.model.Result;
import com.alipay.sofa.registry.core.model.ScopeEnum;
import com.alipay.sofa.registry.core.model.SubscriberRegister;
import com.alipay.sofa.registry.core.model.SyncConfigRequest;
import com.alipay.sofa.registry.core.model.SyncConfigResponse;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.serialize.ClassAllowList;
import dev.registry.common.serialize.HessianSerializer;
import dev.registry.common.serialize.Serializer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Translation between SOFARegistry's wire model ({@code com.alipay.sofa.registry.core.model},
 * the published classes its client sends) and ours. Pure functions.
 *
 * <p>SOFARegistry keys a service by {@code dataId#@#instanceId#@#group}, which is exactly
 * {@link DataInfoId#canonical()}: both client families share one key space.
 */
public final class SofaModel {
    private SofaModel() {
    }

    /** The one data center ("segment") this cluster presents; the client accepts only pushes of listed segments. */
    public static final String SEGMENT = "DefaultDataCenter";
    /** Zone reported as the session's own, and given to publishers registered without one. */
    public static final String LOCAL_ZONE = "DEFAULT_ZONE";
    public static final String EVENT_REGISTER = "REGISTER";
    public static final String EVENT_UNREGISTER = "UNREGISTER";

    /**
     * Every class this port resolves by name: the four requests the client sends, the box of
     * publisher values, the {@link Result} it answers pushes with, and the three classes we
     * write (sofa-hessian checks names in both directions), plus the JDK basics of
     * {@link ClassAllowList}. A payload naming anything else is rejected before any class loads.
     */
    public static final List<Class<?>> ALLOWED = List.of(PublisherRegister.class, SubscriberRegister.class,
            ConfiguratorRegister.class, SyncConfigRequest.class, DataBox.class, Result.class,
            RegisterResponse.class, ReceivedData.class, SyncConfigResponse.class);

    /** Hessian 2 in the dialect of sofa-hessian (bolt codec 1), with the allow-list above. */
    public static Serializer serializer() {
        return new HessianSerializer(ClassAllowList.of(ALLOWED));
    }

    /** The key of a registration: null group / instance take SOFARegistry's (and our) defaults. */
    public static DataInfoId dataInfoId(BaseRegister r) {
        if (r.getDataId() == null) {
            throw new IllegalArgumentException("dataId must not be empty");
        }
        return DataInfoId.of(r.getDataId(), r.getGroup(), r.getInstanceId());
    }

    /**
     * What a SOFARegistry client's AuthManager signs of a registration, as the nonce of
     * {@link dev.registry.common.auth.AuthSignature} (registry-sofa-auth's
     * {@code RegistryAuthManager} builds the same): the id, the registration and its version,
     * one per line, absent fields empty. Not the event type: the client sets it after signing.
     * A signature so made cannot be moved to another id or registration, and replaying it is
     * refused.
     */
    public static String signedContent(BaseRegister r) {
        return String.join("\n", "sofa-register", nz(r.getDataId()), nz(r.getGroup()), nz(r.getInstanceId()),
                nz(r.getRegistId()), r.getVersion() == null ? "" : r.getVersion().toString());
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /**
     * A REGISTER as our publisher. The address is the TCP peer's (as the official server does;
     * the stock client leaves {@code ip} null), the registration time the client's timestamp,
     * which only changes on republish and reconnect, so a retried send stays identical.
     */
    public static Publisher publisher(PublisherRegister r, DataInfoId id, String appName, String peerIp,
                                      long nowMillis, String sessionId, String connectionId) {
        List<String> values = new ArrayList<>();
        if (r.getDataList() != null) {
            for (DataBox box : r.getDataList()) {
                if (box == null || box.getData() == null) {
                    throw new IllegalArgumentException("publisher values must be non-null");
                }
                values.add(box.getData());
            }
        }
        long version = r.getVersion() == null ? 0 : r.getVersion();
        long registeredAt = r.getTimestamp() != null && r.getTimestamp() > 0 ? r.getTimestamp() : nowMillis;
        String zone = r.getZone() == null || r.getZone().isEmpty() ? LOCAL_ZONE : r.getZone();
        return new Publisher(id, r.getRegistId(), version, values, appName, peerIp, zone, registeredAt,
                sessionId, connectionId);
    }

    /**
     * A push in the form the client's {@code ReceivedDataProcessor} expects: non-null segment,
     * registIds and data (zone to boxes; an empty map means "no publishers").
     */
    public static ReceivedData receivedData(DataInfoId id, long version, List<String> subscriberIds,
                                            Map<String, ? extends List<String>> valuesByZone) {
        ReceivedData d = new ReceivedData();
        d.setDataId(id.dataId());
        d.setGroup(id.group());
        d.setInstanceId(id.instanceId());
        d.setSegment(SEGMENT);
        d.setScope(ScopeEnum.global.name()); // every zone is delivered (see docs/sofa-compatibility.md)
        d.setVersion(version);
        d.setLocalZone(LOCAL_ZONE);
        d.setSubscriberRegistIds(new ArrayList<>(subscriberIds));
        Map<String, List<DataBox>> data = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        valuesByZone.forEach((zone, values) -> {
            String z = zone == null || zone.isEmpty() ? LOCAL_ZONE : zone;
            List<DataBox> boxes = data.computeIfAbsent(z, k -> new ArrayList<>());
            for (String v : values) {
                boxes.add(new DataBox(v));
            }
            counts.put(z, boxes.size());
        });
        d.setData(data);
        d.setDataCount(counts);
        return d;
    }

    /** Success, echoing the request's version: the client stops re-sending only on that echo. */
    public static RegisterResponse accepted(BaseRegister r, String message) {
        return response(r, true, false, message);
    }

    /** A permanent refusal (invalid request): the client stops retrying and logs the message. */
    public static RegisterResponse refused(BaseRegister r, String message) {
        return response(r, true, true, message);
    }

    /** A transient failure: the client re-sends about every 0.5-1 s. */
    public static RegisterResponse failed(BaseRegister r, String message) {
        return response(r, false, false, message);
    }

    private static RegisterResponse response(BaseRegister r, boolean success, boolean refused, String message) {
        RegisterResponse out = new RegisterResponse();
        out.setSuccess(success);
        out.setRefused(refused);
        out.setRegistId(r.getRegistId());
        out.setVersion(r.getVersion() == null ? 0 : r.getVersion());
        out.setMessage(message);
        return out;
    }

    public static SyncConfigResponse syncConfig() {
        SyncConfigResponse out = new SyncConfigResponse();
        out.setSuccess(true);
        out.setAvailableSegments(new ArrayList<>(List.of(SEGMENT)));
        out.setRetryInterval(0);
        return out;
    }
}
