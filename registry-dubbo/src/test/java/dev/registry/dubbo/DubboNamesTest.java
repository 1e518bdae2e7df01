package dev.registry.dubbo;

import dev.registry.common.model.DataInfoId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DubboNamesTest {
    @Test
    void ordinaryNamesStayAsTheyAre() {
        assertThat(DubboNames.escape("com.example.Greeting$Inner")).isEqualTo("com.example.Greeting$Inner");
        assertThat(DubboNames.unescape("com.example.Greeting$Inner")).isEqualTo("com.example.Greeting$Inner");
        assertThat(DubboNames.id("com.example.Foo", "DUBBO_PROVIDERS", null))
                .isEqualTo(DataInfoId.of("com.example.Foo", "DUBBO_PROVIDERS", null));
    }

    @Test
    void charactersADataIdRefusesAreEscapedReversibly() {
        for (String name : new String[]{"a#@#b", "ends#@", " padded ", "tab\there", "100%", "mail@host#x", "ünï"}) {
            String escaped = DubboNames.escape(name);
            DataInfoId id = DataInfoId.of(escaped, "DUBBO_PROVIDERS", null); // accepted
            assertThat(DataInfoId.parse(id.canonical())).isEqualTo(id);
            assertThat(DubboNames.unescape(escaped)).isEqualTo(name);
        }
        assertThat(DubboNames.escape("a#@#b")).isEqualTo("a%23%40%23b");
    }

    @Test
    void categoryGroups() {
        assertThat(DubboNames.categoryGroup("DUBBO", "providers")).isEqualTo("DUBBO_PROVIDERS");
        assertThat(DubboNames.categoryGroup("DUBBO", "configurators")).isEqualTo("DUBBO_CONFIGURATORS");
    }
}
