package dev.registry.session.bolt;

import com.alipay.sofa.registry.core.model.DataBox;
import com.alipay.sofa.registry.core.model.PublisherRegister;
import com.alipay.sofa.registry.core.model.ReceivedData;
import com.alipay.sofa.registry.core.model.RegisterResponse;
import com.alipay.sofa.registry.core.model.Result;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.registry.session.bolt.SofaDumps.bytes;
import static dev.registry.session.bolt.SofaDumps.show;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Hessian dialect and the model translation, checked byte for byte against the spec's dumps. */
class SofaModelTest {
    private final Serializer serializer = SofaModel.serializer();

    @Test
    void readsThePublisherRegisterTheStockClientSends() throws Exception {
        PublisherRegister r = (PublisherRegister) serializer.deserialize(bytes(SofaDumps.PUBLISHER_REGISTER));
        assertThat(r.getDataId()).isEqualTo("com.example.Svc");
        assertThat(r.getGroup()).isEqualTo("DEFAULT_GROUP");
        assertThat(r.getInstanceId()).isNull();
        assertThat(r.getRegistId()).isEqualTo("rid-1");
        assertThat(r.getEventType()).isEqualTo("REGISTER");
        assertThat(r.getVersion()).isEqualTo(1L);
        assertThat(r.getTimestamp()).isEqualTo(1_700_000_000_000L);
        assertThat(r.getAttributes()).isEmpty();
        assertThat(r.getDataList()).extracting(DataBox::getData).containsExactly("10.0.0.1:12200");
        // and writes it back identically: same dialect, same field order
        assertThat(show(serializer.serialize(r))).isEqualTo(SofaDumps.PUBLISHER_REGISTER);

        DataInfoId id = SofaModel.dataInfoId(r);
        assertThat(id.canonical()).as("SOFARegistry's own dataInfoId form")
                .isEqualTo("com.example.Svc#@#DEFAULT_INSTANCE_ID#@#DEFAULT_GROUP");
        Publisher p = SofaModel.publisher(r, id, r.getAppName(), "10.1.1.1", 5, "session:1", "b1");
        assertThat(p.values()).containsExactly("10.0.0.1:12200");
        assertThat(p.version()).isEqualTo(1);
        assertThat(p.ip()).as("from the socket, not the request").isEqualTo("10.1.1.1");
        assertThat(p.zone()).isEqualTo("DEFAULT_ZONE");
        assertThat(p.registeredAtMillis()).as("client timestamp: a retried send stays identical")
                .isEqualTo(1_700_000_000_000L);
        assertThat(p.connectionId()).isEqualTo("b1");
    }

    @Test
    void writesTheRegisterResponseTheClientExpects() throws Exception {
        PublisherRegister r = new PublisherRegister();
        r.setRegistId("rid-1");
        r.setVersion(1L);
        RegisterResponse response = SofaModel.accepted(r, "ok");
        assertThat(show(serializer.serialize(response))).isEqualTo(SofaDumps.REGISTER_RESPONSE);
        assertThat(SofaModel.refused(r, "bad").isRefused()).isTrue();
        assertThat(SofaModel.failed(r, "later").isSuccess()).isFalse();
    }

    @Test
    void writesReceivedDataAsTheClientReadsIt() throws Exception {
        LinkedHashMap<String, List<String>> byZone = new LinkedHashMap<>();
        byZone.put("DEFAULT_ZONE", List.of("10.0.0.1:12200"));
        ReceivedData d = SofaModel.receivedData(DataInfoId.of("com.example.Svc"), 1_700_000_000_001L,
                List.of("sid-1"), byZone);
        d.setScope("zone"); // the dump was taken with the official server's value
        d.setDataCount(new HashMap<>()); // ... and without counts
        assertThat(show(serializer.serialize(d))).isEqualTo(SofaDumps.RECEIVED_DATA);
    }

    @Test
    void pushesPublishersWithoutAZoneUnderTheLocalZoneAndAnEmptyListAsAnEmptyMap() {
        LinkedHashMap<String, List<String>> byZone = new LinkedHashMap<>();
        byZone.put("", List.of("a:1"));
        byZone.put("DEFAULT_ZONE", List.of("b:1"));
        byZone.put("zone-b", List.of("c:1"));
        ReceivedData d = SofaModel.receivedData(DataInfoId.of("svc"), 7, List.of("s"), byZone);
        Map<String, List<String>> values = new HashMap<>();
        d.getData().forEach((z, boxes) -> values.put(z, boxes.stream().map(DataBox::getData).toList()));
        assertThat(values).containsOnly(Map.entry("DEFAULT_ZONE", List.of("a:1", "b:1")),
                Map.entry("zone-b", List.of("c:1")));
        assertThat(d.getDataCount()).containsEntry("DEFAULT_ZONE", 2);
        assertThat(d.getSegment()).isEqualTo(SofaModel.SEGMENT);
        assertThat(d.getLocalZone()).isEqualTo(SofaModel.LOCAL_ZONE);

        ReceivedData empty = SofaModel.receivedData(DataInfoId.of("svc"), 8, List.of("s"), new LinkedHashMap<>());
        assertThat(empty.getData()).as("an empty map, never null: null would be ignored by the client").isEmpty();
    }

    @Test
    void readsThePushAckAndWritesTheSyncConfigAnswer() throws Exception {
        Result ack = (Result) serializer.deserialize(bytes(SofaDumps.RESULT));
        assertThat(ack.isSuccess()).isTrue();
        assertThat(show(serializer.serialize(SofaModel.syncConfig()))).isEqualTo(SofaDumps.SYNC_CONFIG_RESPONSE);
    }

    @Test
    void refusesClassesOutsideTheAllowListBeforeLoadingThem() {
        // A PublisherRegister whose value box names a JDK class instead of DataBox.
        String dump = SofaDumps.PUBLISHER_REGISTER.replace(
                "O\\xbbcom.alipay.sofa.registry.core.model.DataBox\\x91\\x04datao\\x91\\x0e10.0.0.1:12200",
                "O\\xbcjavax.management.BadStringOperationException\\x91\\x02opo\\x91\\x01x");
        assertThatThrownBy(() -> serializer.deserialize(bytes(dump)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("javax.management.BadStringOperationException");
    }

    @Test
    void rejectsInvalidKeysAndValuesAsArgumentErrors() {
        PublisherRegister r = new PublisherRegister();
        r.setDataId("bad#@#id");
        r.setRegistId("r");
        assertThatThrownBy(() -> SofaModel.dataInfoId(r)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("#@#");
        r.setDataId("ok");
        r.setDataList(new ArrayList<>(java.util.Arrays.asList(new DataBox(null))));
        assertThatThrownBy(() -> SofaModel.publisher(r, SofaModel.dataInfoId(r), r.getAppName(), "1.1.1.1", 1, "s", "c"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
