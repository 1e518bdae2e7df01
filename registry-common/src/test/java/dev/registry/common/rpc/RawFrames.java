package dev.registry.common.rpc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A plain blocking socket speaking the frame layout by hand, so tests can send what a
 * well-behaved client never would. The wire constants are spelled out here on purpose: they
 * pin the protocol independently of the production code.
 * <pre>
 * int32 length (of everything after it) | int16 magic 0x5247 | int8 version 1 | int8 type | int8 flags | int64 requestId | body
 * </pre>
 */
final class RawFrames implements AutoCloseable {
    static final int MAGIC = 0x5247;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 2 + 1 + 1 + 1 + 8;
    static final int REQUEST = 1;
    static final int RESPONSE = 2;
    static final int ONEWAY = 3;
    static final int HEARTBEAT = 4;
    static final int HEARTBEAT_ACK = 5;
    static final int FLAG_ERROR = 1;

    /** One frame as read off the wire. */
    record RawFrame(int magic, int version, int type, int flags, long requestId, byte[] body) {
        boolean isError() {
            return (flags & FLAG_ERROR) != 0;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private RawFrames(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    static RawFrames connect(InetSocketAddress address) {
        Socket socket = new Socket();
        try {
            socket.connect(address, 3_000);
            socket.setTcpNoDelay(true);
            // Bounds every blocking read, so a missing answer fails the test instead of hanging it.
            socket.setSoTimeout(5_000);
            return new RawFrames(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(e);
        }
    }

    void writeFrame(int type, int flags, long requestId, byte[] body) throws IOException {
        writeHeader(HEADER_LENGTH + body.length, MAGIC, VERSION, type, flags, requestId);
        out.write(body);
        out.flush();
    }

    /** A header with every field chosen by the caller, and no body. */
    void writeHeader(int length, int magic, int version, int type, int flags, long requestId) throws IOException {
        out.writeInt(length);
        out.writeShort(magic);
        out.writeByte(version);
        out.writeByte(type);
        out.writeByte(flags);
        out.writeLong(requestId);
        out.flush();
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    RawFrame readFrame() throws IOException {
        int length = in.readInt();
        if (length < HEADER_LENGTH || length > 16 * 1024 * 1024) {
            throw new IOException("implausible frame length " + length);
        }
        int magic = in.readUnsignedShort();
        int version = in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        long requestId = in.readLong();
        byte[] body = new byte[length - HEADER_LENGTH];
        in.readFully(body);
        return new RawFrame(magic, version, type, flags, requestId, body);
    }

    /**
     * Reads and discards until the peer closes (true) or nothing arrives for the socket's read
     * timeout (false). A reset counts as closed: a server that closes with our unread garbage
     * in its buffer sends RST rather than FIN.
     */
    boolean closedByPeer() throws IOException {
        byte[] sink = new byte[4096];
        try {
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException | SocketException e) {
            return true;
        }
    }

    void setReadTimeoutMillis(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
