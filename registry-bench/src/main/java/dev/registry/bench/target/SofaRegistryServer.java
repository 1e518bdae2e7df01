package dev.registry.bench.target;

import dev.registry.bench.process.Jvm;
import dev.registry.bench.process.Proc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * SOFARegistry 6.3.0 all-in-one ({@code registry-server-integration}: meta + data + session in
 * one JVM) with its defaults, in a network namespace of its own: it refuses loopback as its
 * address and advertises eth0's, so the namespace gets a veth named eth0 with a private address
 * and the server never sees the machine's real one. Its jars (and its client's) come from
 * {@code <sofa-home>/server-lib} and {@code client-lib}, never from our classpath; its agents run
 * inside the namespace too.
 */
public final class SofaRegistryServer implements SystemUnderTest {
    static final String HOST_ADDR = "10.213.77.1";
    static final String NS_ADDR = "10.213.77.2";

    private final Workspace ws;
    private final String ns;
    private final String hostVeth;
    private Proc proc;

    private SofaRegistryServer(Workspace ws) {
        this.ws = ws;
        this.ns = ws.netnsName();
        this.hostVeth = "vb" + ProcessHandle.current().pid() % 1_000_000;
    }

    public static SofaRegistryServer start(Workspace ws, int heapMb) throws IOException {
        Path lib = ws.sofaHome().resolve("server-lib");
        if (!Files.isDirectory(lib) || !Files.isDirectory(ws.sofaHome().resolve("client-lib"))) {
            throw new IllegalStateException("SOFARegistry jars missing under " + ws.sofaHome()
                    + " (scripts/bench.sh fetches them into server-lib/ and client-lib/)");
        }
        SofaRegistryServer s = new SofaRegistryServer(ws);
        try {
            s.createNamespace();
            Path home = ws.dir("sofa-home");
            Path cfg = home.resolve("application.properties");
            Files.writeString(cfg, String.join("\n",
                    "nodes.localDataCenter=DefaultDataCenter",
                    "nodes.metaNode=DefaultDataCenter:" + NS_ADDR,
                    "nodes.localRegion=DEFAULT_ZONE",
                    "nodes.localSegmentRegions=DEFAULT_ZONE",
                    "jdbc.driverClassName=org.h2.Driver",
                    "jdbc.url=jdbc:h2:mem:metadatadb;DB_CLOSE_DELAY=-1;MODE=MySQL;MV_STORE=FALSE",
                    "jdbc.mapperLocations=classpath:h2-mapper/*.xml",
                    "jdbc.username=sa",
                    "jdbc.password=",
                    ""));
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", s.ns));
            cmd.addAll(Jvm.command(heapMb, "-Xms" + heapMb + "m"));
            for (String p : List.of("java.base/java.lang", "java.base/java.util", "java.base/java.nio",
                    "java.base/sun.nio.ch", "java.base/java.lang.reflect", "java.base/java.util.concurrent",
                    "java.base/java.util.concurrent.atomic", "java.base/java.net", "java.base/java.math",
                    "java.base/java.text", "java.base/jdk.internal.misc", "java.management/sun.management",
                    "jdk.management/com.sun.management.internal")) {
                cmd.add("--add-opens=" + p + "=ALL-UNNAMED");
            }
            cmd.addAll(List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
                    "-Dio.netty.tryReflectionSetAccessible=true",
                    "-Dspring.config.location=" + cfg, "-Duser.home=" + home, "-Dregistry.integration.home=" + home,
                    "-cp", lib + "/*", "com.alipay.sofa.registry.server.integration.RegistryApplication"));
            s.proc = Proc.start("sofa-registry", cmd, ws.log("sofa-registry"), Map.of(), false);
            Jvm.await("SOFARegistry", Duration.ofSeconds(120),
                    () -> Jvm.httpStatus("http://" + NS_ADDR + ":9603/health/check") == 200, s.proc);
        } catch (RuntimeException | IOException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void createNamespace() {
        deleteNamespace();
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "addr", "add", HOST_ADDR + "/30", "dev", hostVeth);
        run("ip", "link", "set", hostVeth, "up");
        run("ip", "netns", "exec", ns, "ip", "addr", "add", NS_ADDR + "/30", "dev", "eth0");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up");
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    }

    private void deleteNamespace() {
        runQuietly("ip", "netns", "del", ns);
        runQuietly("ip", "link", "del", hostVeth);
    }

    private static void run(String... cmd) {
        String out = runQuietly(cmd);
        if (out != null) {
            throw new IllegalStateException("network namespace setup failed: " + String.join(" ", cmd) + ": " + out);
        }
    }

    /** Runs a command; null on success, else its output. */
    private static String runQuietly(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor() == 0 ? null : out.trim();
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public String name() {
        return "sofa";
    }

    @Override
    public String driverClass() {
        return "dev.registry.bench.agent.SofaDriver";
    }

    @Override
    public String clientAddress() {
        return NS_ADDR + ":9603";
    }

    @Override
    public String connectionAddress() {
        return NS_ADDR + ":9600";
    }

    @Override
    public long heapPid() {
        return proc.pid();
    }

    @Override
    public List<String> agentPrefix() {
        return List.of("ip", "netns", "exec", ns);
    }

    /** SOFARegistry's client jars first, then only the bench's agent classes (copied out of our jar). */
    @Override
    public String agentClasspath(String own) {
        return ws.sofaHome().resolve("client-lib") + "/*:" + agentClasses();
    }

    private Path agentClasses() {
        Path out = ws.dir("sofa-agent-classes");
        String pkg = "dev/registry/bench/agent/";
        try {
            URL url = getClass().getClassLoader().getResource(pkg + "AgentMain.class");
            if (url == null) {
                throw new IllegalStateException("agent classes not found");
            }
            if (url.getProtocol().equals("jar")) {
                try (JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile()) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        JarEntry entry = e.nextElement();
                        if (entry.getName().startsWith(pkg) && entry.getName().endsWith(".class")) {
                            copy(jar.getInputStream(entry), out.resolve(entry.getName()));
                        }
                    }
                }
            } else {
                Path dir = Path.of(url.toURI()).getParent();
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        copy(Files.newInputStream(f), out.resolve(pkg + f.getFileName()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static void copy(InputStream in, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (in) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public String describe() {
        return "sofa: SOFARegistry 6.3.0 all-in-one (registry-server-integration) with its defaults, own network "
                + "namespace (veth " + NS_ADDR + "), clients registry-client-all 6.5.6 in the same namespace";
    }

    @Override
    public void close() {
        if (proc != null) {
            proc.kill9();
        }
        deleteNamespace();
    }
}
