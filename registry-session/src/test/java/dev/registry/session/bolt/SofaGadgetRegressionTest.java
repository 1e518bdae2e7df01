package dev.registry.session.bolt;

import com.alipay.sofa.registry.core.model.DataBox;
import com.alipay.sofa.registry.core.model.PublisherRegister;
import dev.registry.common.serialize.ClassAllowList;
import dev.registry.common.serialize.HessianGadgetRegressionTest.Decoded;
import dev.registry.common.serialize.HessianGadgetRegressionTest.Gadget;
import dev.registry.common.serialize.HessianGadgetRegressionTest.HessianValue;
import dev.registry.common.serialize.HessianGadgetRegressionTest.Placement;
import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.registry.common.serialize.HessianGadgetRegressionTest.GENERIC_PLACEMENTS;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.bool;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.decode;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.gadget;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.hessian;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.list;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.map;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.object;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.refusalProblem;
import static dev.registry.common.serialize.HessianGadgetRegressionTest.str;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gadget table of registry-common ({@code HessianGadgetRegressionTest}) against the
 * SOFARegistry Bolt port, which decodes with its own allow-list ({@link SofaModel#serializer()}):
 * every gadget must be refused by name and never loaded, at the top level and nested in the
 * fields of the SOFA model classes that port accepts (the stock client's requests) or allows.
 */
class SofaGadgetRegressionTest {
    private static final String MODEL = "com.alipay.sofa.registry.core.model.";
    private static final ClassAllowList ALLOW_LIST = ClassAllowList.of(SofaModel.ALLOWED);
    /** Shared across the table on purpose: a refusal must not leave state that accepts the next time. */
    private static final Serializer SOFA = SofaModel.serializer();

    private static HessianValue dataBox(String value) {
        return object(MODEL + "DataBox", "data", str(value));
    }

    /** Placements inside the fields of the SOFA model classes on {@link SofaModel#ALLOWED}. */
    private static final List<Placement> SOFA_PLACEMENTS = List.of(
            // PUBLISHER_REGISTER: the boxes of publisher values, a valid box first.
            new Placement("PublisherRegister.dataList element",
                    c -> object(MODEL + "PublisherRegister", "dataId", str("com.example.Svc"), "registId", str("rid-1"),
                            "dataList", list("java.util.ArrayList", dataBox("10.0.0.1:12200"), gadget(c)))),
            // BaseRegister.attributes (Map<String, String>), inherited by every register request.
            new Placement("PublisherRegister.attributes value",
                    c -> object(MODEL + "PublisherRegister", "dataId", str("com.example.Svc"),
                            "attributes", map("java.util.HashMap", str("k"), gadget(c)))),
            new Placement("SubscriberRegister.attributes key",
                    c -> object(MODEL + "SubscriberRegister", "dataId", str("com.example.Svc"), "acceptMulti", bool(true),
                            "attributes", map(null, gadget(c), str("v")))),
            new Placement("ConfiguratorRegister.attributes value",
                    c -> object(MODEL + "ConfiguratorRegister", "attributes", map(null, str("k"), gadget(c)))),
            // ReceivedData (a class we write, so on the list): zone -> boxes, one of them the gadget.
            new Placement("ReceivedData.data zone list element",
                    c -> object(MODEL + "ReceivedData", "data", map("java.util.HashMap", str("DEFAULT_ZONE"),
                            list("java.util.ArrayList", dataBox("10.0.0.1:12200"), gadget(c))))),
            new Placement("ReceivedData.subscriberRegistIds element",
                    c -> object(MODEL + "ReceivedData", "subscriberRegistIds", list(null, str("sid-1"), gadget(c)))),
            new Placement("SyncConfigResponse.availableSegments element",
                    c -> object(MODEL + "SyncConfigResponse", "availableSegments", list(null, gadget(c)))),
            // Declared String: refused inside Hessian2Input.expect, which reports a type mismatch
            // without the class name (see HessianGadgetRegressionTest's RpcError placement).
            new Placement("DataBox.data (declared String)",
                    c -> object(MODEL + "DataBox", "data", gadget(c)), c -> null));

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.registry.common.serialize.HessianGadgetRegressionTest#gadgets")
    void gadgetIsRefusedWhereverItIsPlaced(Gadget gadget) {
        List<String> problems = new ArrayList<>();
        for (Placement placement : Stream.concat(GENERIC_PLACEMENTS.stream(), SOFA_PLACEMENTS.stream()).toList()) {
            String problem = refusalProblem("SofaModel.serializer()", SOFA, ALLOW_LIST, gadget, placement);
            if (problem != null) {
                problems.add(problem);
            }
        }
        assertThat(problems).isEmpty();
    }

    /**
     * One serializer instance, as the port's connection handler holds it: a register request with
     * a gadget among its value boxes is refused, and the stock client's request decodes right
     * after; several rounds, so no refusal is remembered as anything else.
     */
    @Test
    void refusedGadgetLeavesTheSerializerWorking() throws Exception {
        Serializer sofa = SofaModel.serializer();
        String gadgetClass = "com.sun.rowset.JdbcRowSetImpl";
        byte[] hostile = hessian(SOFA_PLACEMENTS.get(0).payload().apply(gadgetClass));

        for (int round = 0; round < 3; round++) {
            Decoded refused = decode(sofa, hostile);
            assertThat(refused.failure()).as("round %d", round).isInstanceOf(SerializationException.class)
                    .hasMessageContaining(gadgetClass);
            assertThat(refused.classLoads()).doesNotContain(gadgetClass);

            PublisherRegister r = (PublisherRegister) sofa.deserialize(SofaDumps.bytes(SofaDumps.PUBLISHER_REGISTER));
            assertThat(r.getRegistId()).isEqualTo("rid-1");
            assertThat(r.getDataList()).singleElement().extracting(DataBox::getData).isEqualTo("10.0.0.1:12200");
        }
    }
}
