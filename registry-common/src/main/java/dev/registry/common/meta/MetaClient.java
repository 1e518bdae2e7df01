package dev.registry.common.meta;

import com.google.common.net.HostAndPort;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.SlotTableChanged;
import dev.registry.common.rpc.Backoff;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.ReconnectingConnection;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.serialize.Serializer;
import dev.registry.common.slot.SlotTableHolder;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A data or session server's link to meta: heartbeats on a fixed interval (which register
 * the node and renew its lease), installs every newer slot table meta pushes or returns.
 * While meta is unreachable the node keeps the last table and keeps trying.
 */
public final class MetaClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetaClient.class);

    private final RpcClient client;
    private final ReconnectingConnection connection;
    private final Supplier<Object> heartbeat;
    private final SlotTableHolder tables;
    private final Duration interval;
    private final ScheduledExecutorService timer;
    private volatile HeartbeatResponse lastResponse;
    private volatile long lastSuccessNanos;

    /**
     * @param heartbeat builds the heartbeat message (carrying the node's known epoch) each time
     */
    public MetaClient(String name, List<HostAndPort> metaAddresses, Serializer serializer, SlotTableHolder tables,
                      Supplier<Object> heartbeat, Duration interval) {
        this.tables = tables;
        this.heartbeat = heartbeat;
        this.interval = interval;
        HandlerRegistry handlers = new HandlerRegistry()
                // A restarted meta asks members for the newest table they hold.
                .register(dev.registry.common.protocol.GetSlotTableRequest.class, (conn, msg) -> tables.current())
                .register(SlotTableChanged.class, (conn, msg) -> {
                    if (tables.update(msg.slotTable())) {
                        log.info("installed slot table epoch {} pushed by meta", msg.slotTable().epoch());
                    }
                    return null;
                });
        RpcConfig config = RpcConfig.clientDefaults().withWorkerThreads(1)
                .withHeartbeat(Duration.ofSeconds(1), Duration.ofSeconds(10));
        this.client = new RpcClient(name + "-meta", config, serializer, handlers, new ConnectionListener() { });
        this.connection = new ReconnectingConnection(client, metaAddresses,
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new Random()), 0,
                conn -> CompletableFuture.completedFuture(null));
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory(name + "-meta-heartbeat", true));
    }

    public void start() {
        connection.start();
        timer.scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a heartbeat now; the future completes with meta's answer (the table is installed already). */
    public CompletableFuture<HeartbeatResponse> beat() {
        if (!connection.isReady()) {
            return CompletableFuture.failedFuture(new IllegalStateException("meta not connected"));
        }
        return connection.call(heartbeat.get(), Duration.ofSeconds(3)).thenApply(r -> {
            HeartbeatResponse response = (HeartbeatResponse) r;
            lastResponse = response;
            lastSuccessNanos = System.nanoTime();
            if (response.slotTable() != null && tables.update(response.slotTable())) {
                log.info("installed slot table epoch {} from heartbeat", response.slotTable().epoch());
            }
            return response;
        }).whenComplete((r, e) -> {
            if (e != null) {
                log.debug("heartbeat to meta failed: {}", e.getMessage());
            }
        });
    }

    /** A one-off call to the meta server (e.g. announcing a graceful leave). */
    public CompletableFuture<Object> call(Object request) {
        return connection.call(request, Duration.ofSeconds(3));
    }

    /** Asks for the table now (e.g. after a NOT_LEADER answer with a newer epoch). */
    public void refreshSoon() {
        timer.execute(this::beat);
    }

    public boolean isConnected() {
        return connection.isReady();
    }

    /** The last heartbeat answer, or null. */
    public HeartbeatResponse lastResponse() {
        return lastResponse;
    }

    /** Nanos since the last successful heartbeat, or Long.MAX_VALUE if none yet. */
    public long nanosSinceLastSuccess() {
        return lastSuccessNanos == 0 ? Long.MAX_VALUE : System.nanoTime() - lastSuccessNanos;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        connection.close();
        client.close();
    }
}
