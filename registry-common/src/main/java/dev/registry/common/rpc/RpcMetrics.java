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
    private final LongAdder rejectedBusy = new LongAdder();
    private final LongAdder refusedConnections = new LongAdder();
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

    void rejectedBusy() {
        rejectedBusy.increment();
    }

    void refusedConnection() {
        refusedConnections.increment();
    }

    public long rejectedBusyTotal() {
        return rejectedBusy.sum();
    }

    public long refusedConnectionsTotal() {
        return refusedConnections.sum();
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
        appendPrometheus(out, this);
    }

    /** Renders several endpoints as one set of metric families (one TYPE line per family). */
    public static void appendPrometheus(StringBuilder out, RpcMetrics... all) {
        family(out, "registry_rpc_connections", "gauge", all, m -> m.open.sum());
        family(out, "registry_rpc_connections_opened_total", "counter", all, m -> m.opened.sum());
        family(out, "registry_rpc_protocol_errors_total", "counter", all, m -> m.protocolErrors.sum());
        family(out, "registry_rpc_rejected_payloads_total", "counter", all, m -> m.rejectedPayloads.sum());
        family(out, "registry_rpc_idle_closed_total", "counter", all, m -> m.idleClosed.sum());
        family(out, "registry_rpc_rejected_busy_total", "counter", all, m -> m.rejectedBusy.sum());
        family(out, "registry_rpc_refused_connections_total", "counter", all, m -> m.refusedConnections.sum());
        String[] names = {"registry_rpc_handled_total", "registry_rpc_handled_errors_total", "registry_rpc_handled_seconds_sum"};
        for (int f = 0; f < names.length; f++) {
            out.append("# TYPE ").append(names[f]).append(" counter\n");
            for (RpcMetrics m : all) {
                for (Map.Entry<String, Handled> e : new TreeMap<>(m.handled).entrySet()) {
                    Handled h = e.getValue();
                    out.append(names[f]).append("{endpoint=\"").append(m.endpoint).append("\",type=\"").append(e.getKey())
                            .append("\"} ");
                    switch (f) {
                        case 0 -> out.append(h.calls.sum());
                        case 1 -> out.append(h.errors.sum());
                        default -> out.append(h.nanos.sum() / 1e9);
                    }
                    out.append('\n');
                }
            }
        }
    }

    private static void family(StringBuilder out, String name, String type, RpcMetrics[] all,
                               java.util.function.ToLongFunction<RpcMetrics> value) {
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (RpcMetrics m : all) {
            out.append(name).append("{endpoint=\"").append(m.endpoint).append("\"} ").append(value.applyAsLong(m)).append('\n');
        }
    }

    private static final class Handled {
        final LongAdder calls = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }
}
