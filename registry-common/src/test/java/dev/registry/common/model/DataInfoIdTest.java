package dev.registry.common.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataInfoIdTest {

    @Test
    void canonicalFormIsDataIdInstanceIdGroup() {
        DataInfoId id = DataInfoId.of("com.example.EchoService", "RPC", "tenant-a");

        assertThat(id.canonical()).isEqualTo("com.example.EchoService#@#tenant-a#@#RPC");
        assertThat(id.toString()).isEqualTo(id.canonical());
    }

    @Test
    void parseReversesCanonical() {
        DataInfoId id = DataInfoId.of("com.example.EchoService", "RPC", "tenant-a");

        DataInfoId parsed = DataInfoId.parse(id.canonical());

        assertThat(parsed).isEqualTo(id).hasSameHashCodeAs(id);
        assertThat(parsed.dataId()).isEqualTo("com.example.EchoService");
        assertThat(parsed.group()).isEqualTo("RPC");
        assertThat(parsed.instanceId()).isEqualTo("tenant-a");
        assertThat(parsed.canonical()).isEqualTo(id.canonical());
    }

    @Test
    void parseKeepsNonAsciiAndInnerSpaces() {
        String text = "服务 ü/v1#@#实例#@#grüppe one";

        assertThat(DataInfoId.parse(text).canonical()).isEqualTo(text);
    }

    @Test
    void nullOrEmptyGroupAndInstanceTakeDefaults() {
        DataInfoId fromNulls = DataInfoId.of("svc", null, null);
        DataInfoId fromEmpty = DataInfoId.of("svc", "", "");

        assertThat(fromNulls.group()).isEqualTo(DataInfoId.DEFAULT_GROUP);
        assertThat(fromNulls.instanceId()).isEqualTo(DataInfoId.DEFAULT_INSTANCE_ID);
        assertThat(fromEmpty).isEqualTo(fromNulls);
        assertThat(DataInfoId.of("svc")).isEqualTo(fromNulls);
        assertThat(fromNulls.canonical()).isEqualTo("svc#@#DEFAULT_INSTANCE_ID#@#DEFAULT_GROUP");
    }

    @Test
    void partsOfExactlyMaxLengthAreAccepted() {
        String max = "x".repeat(DataInfoId.MAX_PART_LENGTH);

        DataInfoId id = DataInfoId.of(max, max, max);

        assertThat(DataInfoId.parse(id.canonical())).isEqualTo(id);
    }

    @Test
    void equalityAndOrderFollowAllThreeParts() {
        DataInfoId a = DataInfoId.of("svc", "g1", "i");
        DataInfoId b = DataInfoId.of("svc", "g2", "i");
        DataInfoId c = DataInfoId.of("svc", "g1", "j");

        assertThat(a).isNotEqualTo(b).isNotEqualTo(c);
        assertThat(a.compareTo(b)).isNegative();
        assertThat(a.compareTo(DataInfoId.parse(a.canonical()))).isZero();
    }

    @Test
    void validateAcceptsAValidIdAndReturnsIt() {
        DataInfoId id = DataInfoId.of("svc");

        assertThat(id.validate()).isSameAs(id);
    }

    @Test
    void parseRejectsNull() {
        assertThatThrownBy(() -> DataInfoId.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "svc", "svc#@#inst", "a#@#b#@#c#@#d", "svc#@#inst#@#grp#@#"})
    void parseRejectsWrongPartCount(String text) {
        assertThatThrownBy(() -> DataInfoId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("form");
    }

    @ParameterizedTest
    @ValueSource(strings = {"#@#inst#@#grp", "svc#@##@#grp", "svc#@#inst#@#"})
    void parseRejectsEmptyParts(String text) {
        assertThatThrownBy(() -> DataInfoId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty");
    }

    @Test
    void ofRejectsNullOrEmptyDataId() {
        assertThatThrownBy(() -> DataInfoId.of(null, "g", "i"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataId must not be empty");
        assertThatThrownBy(() -> DataInfoId.of(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataId must not be empty");
    }

    @Test
    void rejectsSeparatorInsideAPart() {
        assertThatThrownBy(() -> DataInfoId.of("a#@#b", "g", "i"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataId must not contain '#@#'");
        assertThatThrownBy(() -> DataInfoId.of("svc", "g#@#h", "i"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group");
        assertThatThrownBy(() -> DataInfoId.of("svc", "g", "#@#"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instanceId");
    }

    @ParameterizedTest
    @ValueSource(strings = {" svc", "svc ", "\tsvc", "svc\n", "\u2003svc"})
    void rejectsLeadingOrTrailingWhitespace(String dataId) {
        assertThatThrownBy(() -> DataInfoId.of(dataId))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whitespace");
        assertThatThrownBy(() -> DataInfoId.parse(dataId + "#@#i#@#g"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whitespace");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s\u0000vc", "s\nvc", "s\u0007vc", "s\u007fvc", "s\u0085vc"})
    void rejectsControlCharacters(String dataId) {
        assertThatThrownBy(() -> DataInfoId.of(dataId))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> DataInfoId.of("svc", "g", dataId))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instanceId");
    }

    @Test
    void rejectsPartsLongerThanTheMaximum() {
        String tooLong = "x".repeat(DataInfoId.MAX_PART_LENGTH + 1);

        assertThatThrownBy(() -> DataInfoId.of(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dataId is longer than 256");
        assertThatThrownBy(() -> DataInfoId.of("svc", tooLong, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group is longer than 256");
        assertThatThrownBy(() -> DataInfoId.parse("svc#@#" + tooLong + "#@#g"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("instanceId is longer than 256");
    }

    @Test
    void errorMessagesAbbreviateHugeInput() {
        String huge = "y".repeat(10_000);

        assertThatThrownBy(() -> DataInfoId.parse(huge))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300));
    }
}
