package dev.registry.session.push;

import dev.registry.common.metrics.LatencyHistogram;
import dev.registry.common.metrics.PrometheusText;

import java.util.concurrent.atomic.LongAdder;

/**
 * The push engine's counters and push latency, and their Prometheus text.
 *
 * <p>Threading: any thread (adders and a lock-free histogram).
 */
final class PushMetrics {
    final LongAdder rounds = new LongAdder();
    final LongAdder pushesSent = new LongAdder();
    final LongAdder pushesAcked = new LongAdder();
    final LongAdder pushesFailed = new LongAdder();
    final LongAdder pushesRetried = new LongAdder();
    final LongAdder pushesGivenUp = new LongAdder();
    final LongAdder slowClientsCut = new LongAdder();
    final LongAdder pushesAvoided = new LongAdder();
    final LongAdder unexpectedFailures = new LongAdder();
    final LongAdder deltaPushes = new LongAdder();
    final LongAdder deltaResyncs = new LongAdder();
    final LatencyHistogram latency = new LatencyHistogram("registry_session_push_latency_seconds",
            "time from the data change on the slot leader to the client's push ack");

    /**
     * @param deltaBaseValues value hashes kept as delta bases ({@link DeltaBases#keptValues})
     * @param queueKeys       ids the push windows track ({@link PushWindows#trackedKeys})
     */
    void appendPrometheus(StringBuilder out, long deltaBaseValues, int queueKeys) {
        PrometheusText.counter(out, "registry_session_push_rounds_total", rounds.sum());
        out.append("# TYPE registry_session_pushes_total counter\n");
        out.append("registry_session_pushes_total{outcome=\"sent\"} ").append(pushesSent.sum()).append('\n');
        out.append("registry_session_pushes_total{outcome=\"acked\"} ").append(pushesAcked.sum()).append('\n');
        out.append("registry_session_pushes_total{outcome=\"failed\"} ").append(pushesFailed.sum()).append('\n');
        out.append("registry_session_pushes_total{outcome=\"retried\"} ").append(pushesRetried.sum()).append('\n');
        out.append("registry_session_pushes_total{outcome=\"given_up\"} ").append(pushesGivenUp.sum()).append('\n');
        out.append("# HELP registry_session_pushes_avoided_total subscribers moved to a newer version without a "
                + "push: the list they hold is equal\n# TYPE registry_session_pushes_avoided_total counter\n")
                .append("registry_session_pushes_avoided_total ").append(pushesAvoided.sum()).append('\n');
        PrometheusText.counter(out, "registry_session_slow_clients_disconnected_total", slowClientsCut.sum());
        out.append("# HELP registry_session_delta_pushes_total pushes that carried only what changed since the "
                + "version the subscribers held\n# TYPE registry_session_delta_pushes_total counter\n")
                .append("registry_session_delta_pushes_total ").append(deltaPushes.sum()).append('\n');
        out.append("# HELP registry_session_delta_resyncs_total delta pushes a client could not apply (it got the "
                + "full list next)\n# TYPE registry_session_delta_resyncs_total counter\n")
                .append("registry_session_delta_resyncs_total ").append(deltaResyncs.sum()).append('\n');
        PrometheusText.gauge(out, "registry_session_delta_base_values", deltaBaseValues);
        out.append("# HELP registry_session_push_unexpected_failures_total unexpected exceptions on the push path "
                + "(bugs; each logged at WARN with its stack trace)\n"
                + "# TYPE registry_session_push_unexpected_failures_total counter\n")
                .append("registry_session_push_unexpected_failures_total ").append(unexpectedFailures.sum()).append('\n');
        PrometheusText.gauge(out, "registry_session_push_queue_keys", queueKeys);
        latency.appendPrometheus(out);
    }
}
