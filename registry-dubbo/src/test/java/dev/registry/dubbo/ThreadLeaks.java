package dev.registry.dubbo;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every thread this module starts (notifiers, registry clients) is gone once Dubbo and the registry stopped. */
final class ThreadLeaks {
    private ThreadLeaks() {
    }

    static void assertNoneLeft() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(ours()).isEmpty());
    }

    private static List<String> ours() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("sharded-") || n.startsWith("registry-client")).sorted().toList();
    }
}
