package dev.registry.common.rpc;

import dev.registry.common.rpc.TestMessages.Echo;
import dev.registry.common.rpc.TestMessages.EchoReply;
import dev.registry.common.rpc.TestMessages.Invalid;
import dev.registry.common.rpc.TestMessages.Note;
import dev.registry.common.rpc.TestMessages.NotMine;
import dev.registry.common.serialize.HessianSerializer;
import dev.registry.common.serialize.SerializationException;
import dev.registry.common.serialize.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static dev.registry.common.rpc.RpcTestKit.HOST;
import static dev.registry.common.rpc.RpcTestKit.failure;
import static dev.registry.common.rpc.RpcTestKit.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class InProcessLinksTest {
    private final RpcTestKit kit = new RpcTestKit();
    private final List<AutoCloseable> extra = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : extra) {
            c.close();
        }
        kit.close();
    }

    @Test
    void aClientOfTheSameProcessGetsALocalChannelThatBehavesLikeTheSocket() {
        RpcServer server = kit.startServer(RpcTestKit.serverConfig().withInProcess(true), 0);
        RpcConnection connection = kit.connect(kit.client(), server);

        assertThat(connection.inProcess()).isTrue();
        assertThat(connection.remoteAddress().getPort()).isEqualTo(server.port());
        EchoReply reply = result(connection.call(new Echo(7, "über"), EchoReply.class));
        assertThat(reply.seq()).isEqualTo(7);
        assertThat(reply.text()).isEqualTo("über");
        assertThat(failure(connection.call(new Invalid("no such thing", false))).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        RpcException notMine = failure(connection.call(new NotMine(12)));
        assertThat(notMine.code()).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(notMine.epoch()).isEqualTo(12);
        result(connection.send(new Note("one-way")));
        await().atMost(Duration.ofSeconds(5)).until(() -> kit.notes.contains("one-way"));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connections().size() == 1);
        assertThat(connection.pendingCalls()).isZero();
    }

    @Test
    void aServerWithoutInProcessAndOneThatStoppedAreReachedBySocketOnly() {
        RpcServer socketOnly = kit.startServer();
        RpcConnection viaSocket = kit.connect(kit.client(), socketOnly);
        assertThat(viaSocket.inProcess()).isFalse();
        assertThat(InProcessLinks.lookup(HOST, socketOnly.port())).isNull();

        RpcServer both = kit.startServer(RpcTestKit.serverConfig().withInProcess(true), 0);
        RpcConnection local = kit.connect(kit.client(), both);
        assertThat(InProcessLinks.lookup(HOST, both.port())).isNotNull();
        int port = both.port();
        both.close();
        assertThat(InProcessLinks.lookup(HOST, port)).as("unregistered when the server stops").isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> local.closeFuture().isDone());
        assertThat(failure(local.call(new Echo(1, "x"))).code()).isEqualTo(ErrorCode.CONNECTION_CLOSED);
    }

    @Test
    void aServerOnEveryInterfaceIsReachedInProcessThroughThisHostsAddressesOnly() {
        RpcServer server = new RpcServer("wildcard", RpcTestKit.serverConfig().withInProcess(true), kit.serializer,
                kit.handlers(), new ConnectionListener() { });
        extra.add(server);
        server.start("0.0.0.0", 0);
        assertThat(InProcessLinks.lookup("127.0.0.1", server.port())).isNotNull();
        assertThat(InProcessLinks.lookup("localhost", server.port())).isNotNull();
        assertThat(InProcessLinks.lookup("192.0.2.1", server.port())).as("another host (TEST-NET-1)").isNull();
    }

    @Test
    void messagesTheSerializerCallsImmutableTravelAsTheObjectItself() throws Exception {
        Serializer byReference = new PassingEchoes(kit.serializer);
        ConcurrentLinkedQueue<Object> received = new ConcurrentLinkedQueue<>();
        HandlerRegistry handlers = new HandlerRegistry().register(Echo.class, (c, echo) -> {
            received.add(echo);
            return new EchoReply(echo.seq(), echo.text());
        });
        RpcServer server = new RpcServer("by-reference", RpcTestKit.serverConfig().withInProcess(true), byReference,
                handlers, new ConnectionListener() { });
        extra.add(server);
        server.start(HOST, 0);
        RpcClient client = new RpcClient("by-reference-client", RpcTestKit.clientConfig(), byReference,
                new HandlerRegistry(), new ConnectionListener() { });
        extra.add(client);
        RpcConnection connection = client.connect(HOST, server.port()).get(10, TimeUnit.SECONDS);

        Echo sent = new Echo(3, "same");
        CompletableFuture<Object> answer = connection.call(sent);
        assertThat(answer.get(10, TimeUnit.SECONDS)).isInstanceOf(EchoReply.class);
        assertThat(received).singleElement().isSameAs(sent);
        assertThat(((PassingEchoes) byReference).encoded).as("never encoded").isZero();
    }

    /** Hessian, except that echoes pass in-process by reference; counts what it encoded. */
    private static final class PassingEchoes implements Serializer {
        private final HessianSerializer hessian;
        volatile int encoded;

        PassingEchoes(HessianSerializer hessian) {
            this.hessian = hessian;
        }

        @Override
        public byte[] serialize(Object value) throws SerializationException {
            encoded++;
            return hessian.serialize(value);
        }

        @Override
        public Object deserialize(byte[] bytes, int offset, int length) throws SerializationException {
            return hessian.deserialize(bytes, offset, length);
        }

        @Override
        public boolean passesInProcess(Object message) {
            return message instanceof Echo || message instanceof EchoReply;
        }
    }
}
