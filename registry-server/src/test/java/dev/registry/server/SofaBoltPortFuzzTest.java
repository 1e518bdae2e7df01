package dev.registry.server;

import com.alipay.sofa.registry.client.api.Publisher;
import com.alipay.sofa.registry.core.model.BaseRegister;
import com.alipay.sofa.registry.core.model.DataBox;
import com.alipay.sofa.registry.core.model.PublisherRegister;
import com.alipay.sofa.registry.core.model.SubscriberRegister;
import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import dev.registry.common.testing.HostileStreams;
import dev.registry.common.testing.NettyLeakWatch;
import dev.registry.session.SessionServer;
import dev.registry.session.bolt.BoltCommand;
import dev.registry.session.bolt.BoltFrameEncoder;
import dev.registry.session.bolt.SofaModel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Property-based fuzzing of the SOFARegistry Bolt port, the second client-facing input surface
 * (its frame decoder, the sofa-hessian path with its allow-list, the registration handlers):
 * random bytes and mutated valid frames (heartbeats, publisher and subscriber registrations)
 * on a live session in a real cluster. Whatever arrives, the session answers or closes that
 * one connection; it keeps serving the stock SOFARegistry client, holds no connection and no
 * registration of the fuzzing clients once they are gone, and leaks no Netty buffer.
 * {@link SofaBoltPortRobustnessTest} pins the exact answer to each known kind of bad input.
 */
class SofaBoltPortFuzzTest {
    static {
        SofaTestClient.quietSofaLogging();
    }

    private static final Serializer SERIALIZER = SofaModel.serializer();
    /** The first push after a cluster starts waits for new slot leaders to be reconciled (at most 10 s). */
    private static final Duration STARTUP = Duration.ofSeconds(15);
    private static final AtomicInteger tries = new AtomicInteger();
    private static TestCluster cluster;
    private static SessionServer session;
    private static SofaTestClient stock;
    private static Publisher stockPublisher;
    private static SofaTestClient.Recorder stockSees;
    private static int stockConnections;
    /** The stock client's registrations and the session's own (it publishes its Bolt endpoint). */
    private static int publishersBefore;
    private static int subscribersBefore;
    private static NettyLeakWatch leakWatch;

    @BeforeContainer
    static void start() {
        cluster = new TestCluster(1, 0);
        session = cluster.addSofaSession();
        cluster.awaitStable();
        stock = new SofaTestClient(session.adminPort());
        stockSees = stock.subscribe("svc.fuzz");
        stockPublisher = stock.publish("svc.fuzz", "10.0.0.1:0");
        await().atMost(STARTUP).until(() -> stockSees.shows("10.0.0.1:0"));
        stockConnections = session.sofaClientPort().connections().size();
        publishersBefore = session.publishers().size();
        subscribersBefore = session.subscribers().size();
        leakWatch = NettyLeakWatch.start();
    }

    @AfterContainer
    static void stop() {
        if (stock != null) {
            stock.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (leakWatch != null) {
            leakWatch.close();
        }
    }

    private static byte[] encode(BoltCommand command) {
        ByteBuf b = Unpooled.buffer();
        BoltFrameEncoder.encode(command, b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return bytes;
    }

    private static <R extends BaseRegister> R registration(R r, String registId) {
        r.setDataId("svc.fuzz");
        r.setRegistId(registId);
        r.setEventType("REGISTER");
        r.setVersion(1L);
        r.setTimestamp(1L);
        r.setAttributes(new HashMap<>());
        return r;
    }

    /** A heartbeat, a publisher and a subscriber registration, back to back: what a client sends first. */
    private static byte[] validStream() {
        try {
            PublisherRegister p = registration(new PublisherRegister(), "fuzz-pub");
            p.setDataList(new ArrayList<>(List.of(new DataBox("10.66.0.1:1")))); // a class the allow-list knows
            SubscriberRegister s = registration(new SubscriberRegister(), "fuzz-sub");
            s.setScope("zone");
            byte[] heartbeat = encode(BoltCommand.heartbeat(1));
            byte[] publish = encode(BoltCommand.request(2, 1000, PublisherRegister.class.getName(),
                    SERIALIZER.serialize(p)));
            byte[] subscribe = encode(BoltCommand.request(3, 1000, SubscriberRegister.class.getName(),
                    SERIALIZER.serialize(s)));
            byte[] all = Arrays.copyOf(heartbeat, heartbeat.length + publish.length + subscribe.length);
            System.arraycopy(publish, 0, all, heartbeat.length, publish.length);
            System.arraycopy(subscribe, 0, all, heartbeat.length + publish.length, subscribe.length);
            return all;
        } catch (SerializationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<byte[]> hostileStreams() {
        // Random bytes after Bolt v1's protocol code get past the first check and into the header.
        return Arbitraries.oneOf(HostileStreams.random(), HostileStreams.randomAfter((byte) 1),
                HostileStreams.mutated(SofaBoltPortFuzzTest::validStream, 120));
    }

    @Property(tries = 200)
    void theBoltPortSurvivesHostileStreams(@ForAll("hostileStreams") byte[] stream) throws Exception {
        HostileStreams.sendAndDrain(session.sofaBoltPort(), stream);
        if (tries.incrementAndGet() % 50 == 0) {
            stockClientStillServed("10.0.0.1:" + tries.get());
        }
    }

    /** After the fuzzing: still serving, nothing of the fuzzing clients left behind, no buffer leaked. */
    @AfterProperty
    void theSessionServesAndHoldsNothingOfTheGoneClients() {
        stockClientStillServed("10.0.0.2:" + tries.get());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(session.sofaClientPort().connections()).as("Bolt connections").hasSize(stockConnections);
            assertThat(session.publishers().size()).as("publishers as before the fuzzing; held: %s",
                    session.publishers().countsById()).isEqualTo(publishersBefore);
            assertThat(session.subscribers().size()).as("subscribers as before the fuzzing").isEqualTo(subscribersBefore);
        });
        assertThat(leakWatch.leaks()).as("Netty buffers collected without release()").isEmpty();
    }

    private static void stockClientStillServed(String value) {
        stockPublisher.republish(value);
        await().atMost(Duration.ofSeconds(10)).until(() -> stockSees.shows(value));
    }
}
