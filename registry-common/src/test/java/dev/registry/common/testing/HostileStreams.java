package dev.registry.common.testing;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * What the fuzz tests of a wire port feed it, and how: random bytes, random bytes behind a
 * fixed prefix (to get past a protocol's first check), and valid input with bytes flipped and
 * its end cut off (to reach deeper: lengths, headers, bodies half right); each stream is
 * written on a fresh connection and the answers are read until the server closes or waits.
 */
public final class HostileStreams {
    private HostileStreams() {
    }

    /** Random streams of 1 to 2048 bytes. */
    public static Arbitrary<byte[]> random() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(2048);
    }

    /** Random streams that start with {@code prefix}. */
    public static Arbitrary<byte[]> randomAfter(byte... prefix) {
        return random().map(b -> {
            byte[] out = Arrays.copyOf(prefix, prefix.length + b.length);
            System.arraycopy(b, 0, out, prefix.length, b.length);
            return out;
        });
    }

    /**
     * {@code valid()} with 1 to 8 bytes flipped (spread from a random position) and up to
     * {@code maxTruncate} bytes cut off its end.
     */
    public static Arbitrary<byte[]> mutated(Supplier<byte[]> valid, int maxTruncate) {
        return Combinators.combine(Arbitraries.integers().between(0, 10_000), Arbitraries.bytes(),
                Arbitraries.integers().between(1, 8), Arbitraries.integers().between(0, maxTruncate)).as(
                (pos, value, flips, truncate) -> {
                    byte[] f = valid.get();
                    for (int i = 0; i < flips; i++) {
                        int p = (pos + i * 37) % f.length;
                        f[p] = (byte) (f[p] ^ value ^ (i + 1));
                    }
                    return Arrays.copyOf(f, Math.max(1, f.length - truncate));
                });
    }

    /**
     * Connects, writes {@code stream}, and reads whatever the server answers until it closes
     * the connection, resets it, or stays quiet for 40 ms (waiting for the rest of a frame);
     * then closes.
     */
    public static void sendAndDrain(int port, byte[] stream) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000); // a refused connect fails the caller
            socket.setSoTimeout(40);
            try {
                OutputStream out = socket.getOutputStream();
                out.write(stream);
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] sink = new byte[4096];
                while (in.read(sink) >= 0) {
                    // answers: error frames, responses
                }
            } catch (SocketTimeoutException | SocketException quietOrReset) {
                // quiet: the server waits for more; reset: it closed on us, perhaps while we still wrote
            }
        }
    }
}
