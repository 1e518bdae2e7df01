package dev.registry.server;

import dev.registry.common.protocol.WireClasses;
import dev.registry.common.serialize.Serializer;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A client that speaks the wire format over a plain socket and then misbehaves on purpose:
 * goes silent, never reads, or resets the connection. Frame layout is written out here so a
 * test breaks if the protocol changes unnoticed.
 */
final class RawClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final DataOutputStream out;
    private final Serializer serializer = WireClasses.serializer();
    private long nextId = 1;

    RawClient(int port, int receiveBufferBytes) throws IOException {
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        out = new DataOutputStream(socket.getOutputStream());
    }

    /** Sends a request frame and does not read the answer. */
    synchronized void request(Object message) throws Exception {
        byte[] body = serializer.serialize(message);
        frame(1, nextId++, body);
    }

    synchronized void heartbeat() throws IOException {
        frame(4, 0, new byte[0]);
    }

    private void frame(int type, long requestId, byte[] body) throws IOException {
        out.writeInt(13 + body.length);
        out.writeShort(0x5247);
        out.writeByte(1);
        out.writeByte(type);
        out.writeByte(0);
        out.writeLong(requestId);
        out.write(body);
        out.flush();
    }

    /** Closes with a TCP reset, as a killed process's kernel would on unread data. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
