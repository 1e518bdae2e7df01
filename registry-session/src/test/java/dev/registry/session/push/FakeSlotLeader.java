package dev.registry.session.push;

import com.google.common.net.HostAndPort;
import dev.registry.common.meta.MetaClient;
import dev.registry.common.protocol.DatumValues;
import dev.registry.common.protocol.FetchDatumRequest;
import dev.registry.common.protocol.SessionHello;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.protocol.WriteResult;
import dev.registry.common.rpc.ConnectionListener;
import dev.registry.common.rpc.HandlerRegistry;
import dev.registry.common.rpc.RpcClient;
import dev.registry.common.rpc.RpcConfig;
import dev.registry.common.rpc.RpcServer;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import dev.registry.common.slot.SlotTableHolder;
import dev.registry.session.link.DataServerLinks;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A slot leader on a real socket that leads every slot and answers a push round's fetch with
 * {@code values.apply(version)} at the version set in {@link #version}; and a {@link PushEngine}
 * wired to it the way a session wires its own. For push-engine tests; close it after each.
 */
final class FakeSlotLeader implements AutoCloseable {
    static final int SLOTS = 4;

    final AtomicLong version = new AtomicLong(1);
    final SubscriberRegistry<PushTarget> subscribers = new SubscriberRegistry<>();
    final PushEngine engine;
    private final RpcServer leader;
    private final RpcClient client;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final DataServerLinks links;

    FakeSlotLeader(LongFunction<LinkedHashMap<String, ArrayList<String>>> values, int maxRetries) {
        HandlerRegistry handlers = new HandlerRegistry()
                .register(SessionHello.class, (c, hello) -> new WriteResult(0, false))
                .register(FetchDatumRequest.class, (c, fetch) -> {
                    long v = version.get();
                    return new DatumValues(fetch.dataInfoId(), v, 0, values.apply(v));
                });
        leader = new RpcServer("fake-leader", RpcConfig.serverDefaults().withWorkerThreads(1), WireClasses.serializer(),
                handlers, new ConnectionListener() { });
        String address = "127.0.0.1:" + leader.start("127.0.0.1", 0).getPort();
        List<SlotAssignment> slots = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            slots.add(new SlotAssignment(i, address, List.of()));
        }
        SlotTableHolder tables = new SlotTableHolder(SLOTS);
        tables.update(new SlotTable(1, 1, slots));
        client = new RpcClient("session-test", RpcConfig.clientDefaults(), WireClasses.serializer(), new HandlerRegistry(),
                new ConnectionListener() { });
        // Never started: the table above is complete, so the links never ask meta for anything.
        MetaClient meta = new MetaClient("session-test", List.of(HostAndPort.fromParts("127.0.0.1", 1)),
                WireClasses.serializer(), tables, () -> null, Duration.ofSeconds(1));
        links = new DataServerLinks("s1", client, tables, meta, scheduler, Duration.ofSeconds(3), a -> { });
        PushEngine.Settings settings = new PushEngine.Settings(Duration.ofSeconds(1), 20, Duration.ofSeconds(5),
                Duration.ofSeconds(5), maxRetries, Duration.ofMillis(10), Duration.ofMillis(50), 16L * 1024 * 1024);
        engine = new PushEngine(subscribers, links, SLOTS, settings, scheduler, Clock.systemUTC());
        engine.setDeltas(true); // as in servers (on by default), explicitly
    }

    @Override
    public void close() {
        links.close();
        client.close();
        leader.close();
        scheduler.shutdownNow();
    }
}
