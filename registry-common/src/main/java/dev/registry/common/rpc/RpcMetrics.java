package dev.registry.common.rpc;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one RPC endpoint (server or client). Cheap to update from I/O threads;
 * rendered in Prometheus text format by {@link #appendPrometheus}.
 */
public final class RpcMetrics {
    private final String endpoint;
    private final LongAdder open = new LongAdder();
    private final LongAdder opened = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final LongAdder rejectedPayloads = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final Map<String, Handled> handled = new ConcurrentHashMap<>();

    public RpcMetrics(String endpoint) {
        this.endpoint = endpoint;
    }

    void connectionOpened() {
        open.increment();
        opened.increment();
    }

    void connectionClosed() {
        open.decrement();
    }

    void protocolError() {
        protocolErrors.increment();
    }

    void rejectedPayload() {
        rejectedPayloads.increment();
    }

    void idleClose() {
        idleClosed.increment();
    }

    void handled(String type, long nanos, boolean ok) {
        Handled h = handled.computeIfAbsent(type, t -> new Handled());
        h.calls.increment();
        h.nanos.add(nanos);
        if (!ok) {
            h.errors.increment();
        }
    }

    public long openConnections() {
        return open.sum();
    }

    public long protocolErrors() {
        return protocolErrors.sum();
    }

    public long rejectedPayloads() {
        return rejectedPayloads.sum();
    }

    public long idleClosedTotal() {
        return idleClosed.sum();
    }

    public void appendPrometheus(StringBuilder out) {
        String l = "{endpoint=\"" + endpoint + "\"}";
        out.append("# TYPE registry_rpc_connections gauge\n")
                .append("registry_rpc_connections").append(l).append(' ').append(open.sum()).append('\n');
        out.append("# TYPE registry_rpc_connections_opened_total counter\n")
                .append("registry_rpc_connections_opened_total").append(l).append(' ').append(opened.sum()).append('\n');
        out.append("# TYPE registry_rpc_protocol_errors_total counter\n")
                .append("registry_rpc_protocol_errors_total").append(l).append(' ').append(protocolErrors.sum()).append('\n');
        out.append("# TYPE registry_rpc_rejected_payloads_total counter\n")
                .append("registry_rpc_rejected_payloads_total").append(l).append(' ').append(rejectedPayloads.sum()).append('\n');
        out.append("# TYPE registry_rpc_idle_closed_total counter\n")
                .append("registry_rpc_idle_closed_total").append(l).append(' ').append(idleClosed.sum()).append('\n');
        out.append("# TYPE registry_rpc_handled_total counter\n");
        out.append("# TYPE registry_rpc_handled_errors_total counter\n");
        out.append("# TYPE registry_rpc_handled_seconds_sum counter\n");
        for (Map.Entry<String, Handled> e : new TreeMap<>(handled).entrySet()) {
            String labels = "{endpoint=\"" + endpoint + "\",type=\"" + e.getKey() + "\"}";
            out.append("registry_rpc_handled_total").append(labels).append(' ').append(e.getValue().calls.sum()).append('\n');
            out.append("registry_rpc_handled_errors_total").append(labels).append(' ').append(e.getValue().errors.sum()).append('\n');
            out.append("registry_rpc_handled_seconds_sum").append(labels).append(' ')
                    .append(e.getValue().nanos.sum() / 1e9).append('\n');
        }
    }

    private static final class Handled {
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }
}
