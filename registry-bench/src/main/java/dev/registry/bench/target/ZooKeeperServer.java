package dev.registry.bench.target;

import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Apache ZooKeeper from its Maven artifact, standalone or a loopback ensemble, each node its
 * own JVM ({@code QuorumPeerMain}). Durability as shipped: every transaction is fsynced
 * ({@code forceSync=yes}); tickTime 2000 ms, so sessions are 4..40 s. Per-IP connection limit
 * off (the connection scenario opens thousands from a few loopback addresses).
 */
public final class ZooKeeperServer implements SystemUnderTest {
    private static final java.util.concurrent.atomic.AtomicInteger STARTS = new java.util.concurrent.atomic.AtomicInteger();
    private final List<Proc> nodes = new ArrayList<>();
    private final List<Integer> clientPorts = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();
    private final boolean ensemble;

    private ZooKeeperServer(boolean ensemble) {
        this.ensemble = ensemble;
    }

    public static ZooKeeperServer start(Workspace ws, int heapMb, int count, String classpath) throws IOException {
        ZooKeeperServer z = new ZooKeeperServer(count > 1);
        try {
            List<String> servers = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                z.clientPorts.add(Jvm.freePort());
                servers.add("server." + i + "=127.0.0.1:" + Jvm.freePort() + ":" + Jvm.freePort());
            }
            String kind = count > 1 ? "zookeeper-ensemble" : "zookeeper";
            for (int i = 1; i <= count; i++) {
                Path dir = ws.dir(kind + "-" + i + "-" + STARTS.incrementAndGet()); // fresh data every start
                z.dirs.add(dir);
                Path data = Files.createDirectories(dir.resolve("data"));
                StringBuilder cfg = new StringBuilder()
                        .append("tickTime=2000\ninitLimit=10\nsyncLimit=5\n")
                        .append("dataDir=").append(data).append('\n')
                        .append("clientPort=").append(z.clientPorts.get(i - 1)).append('\n')
                        .append("clientPortAddress=127.0.0.1\n")
                        .append("maxClientCnxns=0\nadmin.enableServer=false\n4lw.commands.whitelist=*\n");
                if (count > 1) {
                    Files.writeString(data.resolve("myid"), String.valueOf(i));
                    servers.forEach(s -> cfg.append(s).append('\n'));
                }
                Path cfgFile = dir.resolve("zoo.cfg");
                Files.writeString(cfgFile, cfg.toString());
                List<String> cmd = new ArrayList<>(Jvm.command(heapMb, "-Xms" + heapMb + "m"));
                cmd.addAll(List.of("-cp", classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                        cfgFile.toString()));
                z.nodes.add(Proc.start(kind + "-" + i, cmd, ws.log(kind + "-" + i), Map.of(), false));
            }
            Jvm.await(kind, Duration.ofSeconds(60), () -> {
                for (int p : z.clientPorts) {
                    String mode = mode(p);
                    if (mode == null || !(mode.equals("standalone") || mode.equals("leader") || mode.equals("follower"))) {
                        return false;
                    }
                }
                return true;
            }, z.nodes.toArray(new Proc[0]));
        } catch (RuntimeException e) {
            z.close();
            throw e;
        }
        return z;
    }

    /** The node's mode from the {@code srvr} four-letter command, or null when it does not serve. */
    static String mode(int port) {
        String out = fourLetter(port, "srvr");
        if (out == null) {
            return null;
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("Mode: ")) {
                return line.substring(6).trim();
            }
        }
        return null;
    }

    static String fourLetter(int port, String cmd) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(cmd.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** The server processes, one per node. */
    public List<Proc> nodes() {
        return List.copyOf(nodes);
    }

    /**
     * Deletes the nodes' snapshots and transaction logs (after {@link #close}): at a million
     * znodes they take gigabytes per node.
     */
    public void deleteData() {
        for (Path dir : dirs) {
            Path data = dir.resolve("data");
            if (!Files.isDirectory(data)) {
                continue;
            }
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + data + ": " + e);
            }
        }
    }

    @Override
    public String name() {
        return ensemble ? "zookeeper-ensemble" : "zookeeper";
    }

    @Override
    public String driverClass() {
        return "dev.registry.bench.agent.ZooKeeperDriver";
    }

    @Override
    public String clientAddress() {
        return String.join(",", clientPorts.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    @Override
    public String connectionAddress() {
        return "127.0.0.1:" + clientPorts.get(0);
    }

    @Override
    public long heapPid() {
        return nodes.get(0).pid();
    }

    /** Kills the leader: the node every write goes through. */
    @Override
    public String killDataServer() {
        for (int i = 0; i < nodes.size(); i++) {
            if ("leader".equals(mode(clientPorts.get(i)))) {
                nodes.get(i).kill9();
                return nodes.get(i).name() + " (leader)";
            }
        }
        throw new IllegalStateException("no ZooKeeper node reports Mode: leader");
    }

    @Override
    public String describe() {
        return name() + ": Apache ZooKeeper " + org.apache.zookeeper.Version.getFullVersion().split("[ -]")[0] + ", "
                + nodes.size() + " JVM(s), forceSync=yes (fsync on), tickTime 2000 ms; clients: Curator "
                + "service discovery (ephemeral znode per publisher, ServiceCache per subscriber)";
    }

    @Override
    public void close() {
        nodes.forEach(Proc::kill9);
    }
}
