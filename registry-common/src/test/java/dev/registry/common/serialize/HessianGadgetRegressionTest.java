package dev.registry.common.serialize;

import com.caucho.hessian.io.Hessian2Output;
import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.HeartbeatResponse;
import dev.registry.common.protocol.RegisterPublisherRequest;
import dev.registry.common.protocol.WireClasses;
import dev.registry.common.slot.SlotAssignment;
import dev.registry.common.slot.SlotTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression list for the Hessian allow-list: classes used by published Java deserialization
 * gadget chains (ysoserial, marshalsec, the Hessian/Dubbo/SOFA advisories), each placed where a
 * hostile peer would put it: as the message itself, as a typed map / list / array, as a key of a
 * HashMap (the entry point of every marshalsec Hessian chain: {@code HashMap.put} calls
 * {@code hashCode}/{@code equals} on the key), and nested inside the fields of allowed messages.
 * Every one must be refused by name, and Hessian must never even ask a class loader for it: what
 * is never loaded cannot be initialised or constructed.
 *
 * <p>Payloads are written by hand with {@link Hessian2Output}, so no gadget class has to be on this
 * classpath (most are not; the allow-list must not depend on that).
 *
 * <p>Public, with public helpers: registry-session runs the same table against the SOFARegistry
 * port's serializer ({@code SofaGadgetRegressionTest}).
 */
public class HessianGadgetRegressionTest {

    /** One class of a published gadget chain, and the chain family (library) it belongs to. */
    public record Gadget(String family, String className) {
        @Override
        public String toString() {
            return family + ": " + className;
        }
    }

    public static final List<Gadget> GADGETS = List.of(
            // commons-collections 3 (ysoserial CommonsCollections1-7)
            new Gadget("commons-collections", "org.apache.commons.collections.functors.InvokerTransformer"),
            new Gadget("commons-collections", "org.apache.commons.collections.functors.ChainedTransformer"),
            new Gadget("commons-collections", "org.apache.commons.collections.functors.ConstantTransformer"),
            new Gadget("commons-collections", "org.apache.commons.collections.functors.InstantiateTransformer"),
            new Gadget("commons-collections", "org.apache.commons.collections.functors.InstantiateFactory"),
            new Gadget("commons-collections", "org.apache.commons.collections.functors.FactoryTransformer"),
            new Gadget("commons-collections", "org.apache.commons.collections.map.LazyMap"),
            new Gadget("commons-collections", "org.apache.commons.collections.map.TransformedMap"),
            new Gadget("commons-collections", "org.apache.commons.collections.keyvalue.TiedMapEntry"),
            new Gadget("commons-collections", "org.apache.commons.collections.comparators.TransformingComparator"),
            // commons-collections4 (ysoserial CommonsCollections2/4)
            new Gadget("commons-collections4", "org.apache.commons.collections4.functors.InvokerTransformer"),
            new Gadget("commons-collections4", "org.apache.commons.collections4.functors.ChainedTransformer"),
            new Gadget("commons-collections4", "org.apache.commons.collections4.functors.ConstantTransformer"),
            new Gadget("commons-collections4", "org.apache.commons.collections4.functors.InstantiateTransformer"),
            new Gadget("commons-collections4", "org.apache.commons.collections4.map.LazyMap"),
            new Gadget("commons-collections4", "org.apache.commons.collections4.keyvalue.TiedMapEntry"),
            new Gadget("commons-collections4", "org.apache.commons.collections4.comparators.TransformingComparator"),
            // commons-beanutils (ysoserial CommonsBeanutils1: PriorityQueue + BeanComparator -> TemplatesImpl)
            new Gadget("commons-beanutils", "org.apache.commons.beanutils.BeanComparator"),
            // JDK: JNDI lookups (JdbcRowSetImpl.connect, RMIConnector.connect, continuation contexts)
            new Gadget("jdk-jndi", "com.sun.rowset.JdbcRowSetImpl"),
            new Gadget("jdk-jndi", "javax.naming.InitialContext"),
            new Gadget("jdk-jndi", "javax.naming.Reference"),
            new Gadget("jdk-jndi", "javax.naming.spi.ContinuationContext"),
            new Gadget("jdk-jndi", "javax.naming.spi.ContinuationDirContext"),
            new Gadget("jdk-jndi", "com.sun.jndi.rmi.registry.ReferenceWrapper"),
            new Gadget("jdk-jndi", "com.sun.jndi.ldap.LdapAttribute"),
            new Gadget("jdk-jndi", "javax.management.remote.rmi.RMIConnector"),
            // JDK: bytecode loading (TemplatesImpl.newTransformer / getOutputProperties)
            new Gadget("jdk-templates", "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl"),
            new Gadget("jdk-templates", "com.sun.org.apache.xalan.internal.xsltc.trax.TrAXFilter"),
            new Gadget("jdk-templates", "org.apache.xalan.xsltc.trax.TemplatesImpl"),
            new Gadget("jdk-templates", "com.sun.org.apache.bcel.internal.util.ClassLoader"),
            // JDK: toString/equals triggers that lead into the chains above
            new Gadget("jdk-trigger", "javax.management.BadAttributeValueExpException"),
            new Gadget("jdk-trigger", "com.sun.org.apache.xpath.internal.objects.XString"),
            new Gadget("jdk-trigger", "javax.naming.ldap.Rdn$RdnEntry"),
            new Gadget("jdk-trigger", "java.util.PriorityQueue"),
            new Gadget("jdk-trigger", "java.util.Hashtable"),
            // JDK-only Hessian chains (UIDefaults.get -> lazy values -> static method calls; the
            // Dubbo/SOFA Hessian advisories)
            new Gadget("jdk-hessian", "javax.swing.UIDefaults"),
            new Gadget("jdk-hessian", "javax.swing.UIDefaults$ProxyLazyValue"),
            new Gadget("jdk-hessian", "sun.swing.SwingLazyValue"),
            new Gadget("jdk-hessian", "javax.activation.MimeTypeParameterList"),
            new Gadget("jdk-hessian", "sun.security.pkcs.PKCS9Attributes"),
            new Gadget("jdk-hessian", "sun.reflect.misc.MethodUtil"),
            new Gadget("jdk-hessian", "com.sun.org.apache.xml.internal.security.utils.JavaUtils"),
            new Gadget("jdk-hessian", "sun.print.UnixPrintServiceLookup"),
            // JDK: reflection, proxies, process and class loading building blocks
            new Gadget("jdk-reflection", "sun.reflect.annotation.AnnotationInvocationHandler"),
            new Gadget("jdk-reflection", "java.lang.reflect.Proxy"),
            new Gadget("jdk-reflection", "java.rmi.server.RemoteObjectInvocationHandler"),
            new Gadget("jdk-reflection", "sun.rmi.server.UnicastRef"),
            new Gadget("jdk-reflection", "java.lang.Class"),
            new Gadget("jdk-reflection", "java.lang.ProcessBuilder"),
            new Gadget("jdk-reflection", "java.lang.Runtime"),
            new Gadget("jdk-reflection", "java.net.URLClassLoader"),
            new Gadget("jdk-reflection", "javax.script.ScriptEngineManager"),
            // JDK: URLDNS (HashMap key URL -> hashCode -> DNS lookup)
            new Gadget("jdk-dns", "java.net.URL"),
            new Gadget("jdk-dns", "java.net.InetAddress"),
            // Spring (marshalsec SpringPartiallyComparableAdvisorHolder,
            // SpringAbstractBeanFactoryPointcutAdvisor; ysoserial Spring1/2)
            new Gadget("spring", "org.springframework.aop.aspectj.autoproxy.AspectJAwareAdvisorAutoProxyCreator$PartiallyComparableAdvisorHolder"),
            new Gadget("spring", "org.springframework.aop.aspectj.AspectJPointcutAdvisor"),
            new Gadget("spring", "org.springframework.aop.aspectj.AspectJAroundAdvice"),
            new Gadget("spring", "org.springframework.aop.aspectj.annotation.BeanFactoryAspectInstanceFactory"),
            new Gadget("spring", "org.springframework.jndi.support.SimpleJndiBeanFactory"),
            new Gadget("spring", "org.springframework.aop.support.DefaultBeanFactoryPointcutAdvisor"),
            new Gadget("spring", "org.springframework.aop.target.HotSwappableTargetSource"),
            new Gadget("spring", "org.springframework.beans.factory.ObjectFactory"),
            new Gadget("spring", "org.springframework.beans.factory.support.AutowireUtils$ObjectFactoryDelegatingInvocationHandler"),
            new Gadget("spring", "org.springframework.transaction.jta.JtaTransactionManager"),
            new Gadget("spring", "org.springframework.beans.factory.config.PropertyPathFactoryBean"),
            // Groovy (marshalsec Groovy, ysoserial Groovy1)
            new Gadget("groovy", "org.codehaus.groovy.runtime.MethodClosure"),
            new Gadget("groovy", "org.codehaus.groovy.runtime.ConvertedClosure"),
            new Gadget("groovy", "groovy.util.Expando"),
            // Rome (marshalsec Rome: ToStringBean invokes every getter, e.g. JdbcRowSetImpl.getDatabaseMetaData)
            new Gadget("rome", "com.sun.syndication.feed.impl.ToStringBean"),
            new Gadget("rome", "com.sun.syndication.feed.impl.EqualsBean"),
            new Gadget("rome", "com.sun.syndication.feed.impl.ObjectBean"),
            new Gadget("rome", "com.rometools.rome.feed.impl.ToStringBean"),
            new Gadget("rome", "com.rometools.rome.feed.impl.EqualsBean"),
            new Gadget("rome", "com.rometools.rome.feed.impl.ObjectBean"),
            // XBean (marshalsec XBean)
            new Gadget("xbean", "org.apache.xbean.naming.context.ContextUtil$ReadOnlyBinding"),
            new Gadget("xbean", "org.apache.xbean.naming.context.WritableContext"),
            // Resin (marshalsec Resin)
            new Gadget("resin", "com.caucho.naming.QName"),
            // C3P0 (marshalsec C3P0WrapperConnPool, ysoserial C3P0)
            new Gadget("c3p0", "com.mchange.v2.c3p0.WrapperConnectionPoolDataSource"),
            new Gadget("c3p0", "com.mchange.v2.c3p0.impl.PoolBackedDataSourceBase"),
            new Gadget("c3p0", "com.mchange.v2.c3p0.JndiRefForwardingDataSource"),
            // JSON libraries whose toString calls getters (Hessian toString chains); Jackson is on our classpath
            new Gadget("jackson", "com.fasterxml.jackson.databind.node.POJONode"),
            new Gadget("fastjson", "com.alibaba.fastjson.JSONObject"),
            new Gadget("fastjson", "com.alibaba.fastjson.JSONArray"));

    /** The table, for {@code @MethodSource} here and in other modules. */
    public static Stream<Gadget> gadgets() {
        return GADGETS.stream();
    }

    // ---------------------------------------------------------------------------------------
    // Hand-written Hessian 2: the class names are strings, so nothing named has to exist here.

    /** A value written straight to a Hessian 2 stream. */
    @FunctionalInterface
    public interface HessianValue {
        void writeTo(Hessian2Output out) throws IOException;
    }

    public static HessianValue str(String s) {
        return out -> out.writeString(s);
    }

    public static HessianValue bool(boolean b) {
        return out -> out.writeBoolean(b);
    }

    /**
     * An object of the given type with the given fields ({@code name, value, name, value ...}):
     * a class definition (type and field names), then the instance, exactly as Hessian's
     * JavaSerializer writes one.
     */
    public static HessianValue object(String type, Object... fieldsAndValues) {
        if (fieldsAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("name/value pairs expected");
        }
        return out -> {
            int ref = out.writeObjectBegin(type);
            if (ref == -1) { // first object of this type in the stream: define it, then start the instance
                out.writeClassFieldLength(fieldsAndValues.length / 2);
                for (int i = 0; i < fieldsAndValues.length; i += 2) {
                    out.writeString((String) fieldsAndValues[i]);
                }
                out.writeObjectBegin(type);
            }
            for (int i = 1; i < fieldsAndValues.length; i += 2) {
                ((HessianValue) fieldsAndValues[i]).writeTo(out);
            }
        };
    }

    /** A map; {@code type} null for an untyped one (read as HashMap). */
    public static HessianValue map(String type, HessianValue... keysAndValues) {
        return out -> {
            out.writeMapBegin(type);
            for (HessianValue v : keysAndValues) {
                v.writeTo(out);
            }
            out.writeMapEnd();
        };
    }

    /** A list (or, with a type starting "[", an array); {@code type} null for an untyped one. */
    public static HessianValue list(String type, HessianValue... elements) {
        return out -> {
            boolean needsEnd = out.writeListBegin(elements.length, type);
            for (HessianValue v : elements) {
                v.writeTo(out);
            }
            if (needsEnd) {
                out.writeListEnd();
            }
        };
    }

    /** A gadget object with a field shaped like its usual payload (a command); only the type matters. */
    public static HessianValue gadget(String className) {
        return object(className, "payload", str("touch /tmp/pwned"));
    }

    public static byte[] hessian(HessianValue root) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Hessian2Output out = new Hessian2Output(bytes);
        try {
            root.writeTo(out);
            out.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    // ---------------------------------------------------------------------------------------
    // Where a gadget sits in a payload.

    /**
     * One way to smuggle a gadget in. {@code refusedName} is the name the allow-list must refuse
     * first (the gadget, or its array type); null where Hessian reports the refusal as a type
     * mismatch that does not name it (see {@link #WIRE_PLACEMENTS}).
     */
    public record Placement(String name, Function<String, HessianValue> payload, Function<String, String> refusedName) {
        public Placement(String name, Function<String, HessianValue> payload) {
            this(name, payload, Function.identity());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Placements that need no allowed class: they apply to every Hessian port. */
    public static final List<Placement> GENERIC_PLACEMENTS = List.of(
            new Placement("top-level object", HessianGadgetRegressionTest::gadget),
            // Map-shaped gadgets (UIDefaults, LazyMap, TransformedMap) travel as typed maps.
            new Placement("typed map", c -> map(c, str("key"), str("value"))),
            // Collection-shaped gadgets (PriorityQueue) travel as typed lists.
            new Placement("typed list", c -> list(c, str("element"))),
            new Placement("typed array", c -> list("[" + c, gadget(c)), c -> "[" + c),
            // HashMap.put hashes and compares the keys: the entry point of marshalsec's Hessian chains.
            new Placement("key of an untyped map", c -> map(null, gadget(c), str("value"))),
            new Placement("key of a java.util.HashMap", c -> map("java.util.HashMap", gadget(c), str("value"))),
            new Placement("value of a java.util.TreeMap", c -> map("java.util.TreeMap", str("k"), gadget(c))),
            new Placement("second element of a java.util.ArrayList",
                    c -> list("java.util.ArrayList", str("harmless"), gadget(c))),
            new Placement("element of an untyped list", c -> list(null, gadget(c))));

    private static final String HEARTBEAT_RESPONSE = "dev.registry.common.protocol.HeartbeatResponse";

    /** Placements inside the fields of classes on {@link WireClasses#ALL}. */
    static final List<Placement> WIRE_PLACEMENTS = List.of(
            new Placement("SessionList.sessions element",
                    c -> object("dev.registry.common.protocol.SessionList",
                            "sessions", list("java.util.ArrayList", str("10.0.0.1:9600"), gadget(c)))),
            new Placement("HeartbeatResponse.sessionAdminAddresses value",
                    c -> object(HEARTBEAT_RESPONSE, "sessionAdminAddresses",
                            map("java.util.HashMap", str("10.0.0.1:9603"), gadget(c)))),
            new Placement("HeartbeatResponse.sessionAdminAddresses key",
                    c -> object(HEARTBEAT_RESPONSE, "sessionAdminAddresses", map(null, gadget(c), str("x")))),
            new Placement("HeartbeatResponse.switches.clientOffIps element",
                    c -> object(HEARTBEAT_RESPONSE, "switches",
                            object("dev.registry.common.protocol.OperationalSwitches",
                                    "clientOffIps", list(null, gadget(c)), "pushStopped", bool(false)))),
            // A field declared as an allowed concrete class, given a gadget instead.
            new Placement("HeartbeatResponse.slotTable (declared SlotTable)",
                    c -> object(HEARTBEAT_RESPONSE, "slotTable", gadget(c))),
            new Placement("SlotTable.slots element",
                    c -> object("dev.registry.common.slot.SlotTable", "slots", list(null, gadget(c)))),
            // After a valid object of an allowed class in the same list: the refusal is per object.
            new Placement("DatumVersionsRequest.dataInfoIds second element",
                    c -> object("dev.registry.common.protocol.DatumVersionsRequest", "dataInfoIds",
                            list("java.util.ArrayList",
                                    object("dev.registry.common.model.DataInfoId", "dataId", str("svc"),
                                            "group", str("DEFAULT_GROUP"), "instanceId", str("DEFAULT_INSTANCE_ID")),
                                    gadget(c)))),
            // Where a String is declared, Hessian reads the object only to describe the mismatch
            // (Hessian2Input.expect, the path of CVE-2021-43297): our filter refuses it there too,
            // but Hessian swallows that and reports "expected string", so the class is not named.
            new Placement("RpcError.message (declared String)",
                    c -> object("dev.registry.common.rpc.RpcError", "message", gadget(c)), c -> null));

    // ---------------------------------------------------------------------------------------
    // The check, shared with registry-session.

    /** Records every class name asked of it (then delegates), to prove what Hessian never loaded. */
    public static final class RecordingClassLoader extends ClassLoader {
        private final Set<String> requested = ConcurrentHashMap.newKeySet();

        public RecordingClassLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            requested.add(name);
            return super.loadClass(name, resolve);
        }

        public Set<String> requested() {
            return Set.copyOf(requested);
        }
    }

    /** What one decode did: its value or failure, and every class name Hessian asked to load. */
    public record Decoded(Object value, Throwable failure, Set<String> classLoads) {
    }

    /**
     * Decodes with a recording context class loader: sofa-hessian loads a named class with
     * {@code Class.forName(name, false, Thread.currentThread().getContextClassLoader())}, so a
     * name that never reaches this loader was never loaded, let alone initialised or constructed.
     * (The positive control is in {@link #canaryOutsideTheAllowListIsNeverLoadedInitialisedConstructedOrHashed}.)
     */
    public static Decoded decode(Serializer serializer, byte[] payload) {
        Thread thread = Thread.currentThread();
        ClassLoader original = thread.getContextClassLoader();
        RecordingClassLoader recorder = new RecordingClassLoader(original);
        thread.setContextClassLoader(recorder);
        try {
            return new Decoded(serializer.deserialize(payload), null, recorder.requested());
        } catch (Throwable t) {
            return new Decoded(null, t, recorder.requested());
        } finally {
            thread.setContextClassLoader(original);
        }
    }

    /**
     * Null if {@code serializer} refuses the gadget in this placement as it must; otherwise what
     * went wrong, with the payload in hex so that it can be replayed.
     */
    public static String refusalProblem(String serializerName, Serializer serializer, ClassAllowList allowList,
                                        Gadget gadget, Placement placement) {
        String c = gadget.className();
        byte[] payload = hessian(placement.payload().apply(c));
        Decoded d = decode(serializer, payload);
        String where = serializerName + ", " + gadget + " as " + placement + " (payload " + HexFormat.of().formatHex(payload) + "): ";
        if (d.failure() == null) {
            // Only the class name: toString is itself a gadget trigger.
            return where + "NOT REFUSED, decoded to " + (d.value() == null ? "null" : d.value().getClass().getName());
        }
        if (!(d.failure() instanceof SerializationException e)) {
            return where + "failed with " + d.failure() + " instead of SerializationException";
        }
        String expected = placement.refusedName().apply(c);
        if (expected != null && !(expected.equals(e.rejectedClass()) && e.getMessage().contains(c))) {
            return where + "refused with rejectedClass=" + e.rejectedClass() + ", message=" + e.getMessage();
        }
        if (d.classLoads().contains(c) || d.classLoads().contains("[" + c)) {
            return where + "Hessian asked the class loader for the gadget class: " + d.classLoads();
        }
        List<String> notAllowed = d.classLoads().stream().filter(n -> !allowList.allows(n)).sorted().toList();
        if (!notAllowed.isEmpty()) {
            return where + "Hessian asked the class loader for classes outside the allow-list: " + notAllowed;
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------
    // The tests. The serializers are shared across the whole table on purpose: each gadget is
    // tried many times on the same instances, so a refusal that Hessian cached as "unknown type,
    // read it as a map" (or any other state a refusal leaves behind) would show up as an accept.

    private static final ClassAllowList WIRE_ALLOW_LIST = WireClasses.allowList();
    /** What every server role and the client decode with: compact codec in front of Hessian. */
    private static final Serializer WIRE = WireClasses.serializer();
    /** Plain Hessian with the wire allow-list: what peers of earlier builds speak. */
    private static final Serializer HESSIAN = new HessianSerializer(WIRE_ALLOW_LIST);

    @ParameterizedTest(name = "{0}")
    @MethodSource("gadgets")
    void gadgetIsRefusedWhereverItIsPlaced(Gadget gadget) {
        List<String> problems = new ArrayList<>();
        for (Placement placement : Stream.concat(GENERIC_PLACEMENTS.stream(), WIRE_PLACEMENTS.stream()).toList()) {
            addIfPresent(problems, refusalProblem("WireClasses.serializer()", WIRE, WIRE_ALLOW_LIST, gadget, placement));
            addIfPresent(problems, refusalProblem("HessianSerializer(WireClasses.allowList())", HESSIAN, WIRE_ALLOW_LIST,
                    gadget, placement));
        }
        assertThat(problems).isEmpty();
    }

    /**
     * The table is not only names: these gadget classes are really on this test classpath (the
     * JDK, Jackson, and commons-collections as a test dependency), so "Hessian never asked the
     * class loader for it" above is about classes it could have loaded and instantiated.
     */
    @Test
    void realGadgetClassesAreOnTheTestClasspath() {
        List<String> present = GADGETS.stream().map(Gadget::className).filter(name -> {
            try {
                Class.forName(name, false, HessianGadgetRegressionTest.class.getClassLoader()); // loads, never initialises
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }).toList();

        assertThat(present).contains(
                "org.apache.commons.collections.functors.InvokerTransformer",
                "org.apache.commons.collections.functors.ChainedTransformer",
                "org.apache.commons.collections.functors.ConstantTransformer",
                "org.apache.commons.collections.functors.InstantiateTransformer",
                "org.apache.commons.collections.map.LazyMap",
                "org.apache.commons.collections.keyvalue.TiedMapEntry",
                "com.sun.rowset.JdbcRowSetImpl",
                "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
                "javax.management.BadAttributeValueExpException",
                "java.util.PriorityQueue",
                "java.net.URL",
                "javax.naming.InitialContext",
                "java.lang.ProcessBuilder",
                "javax.swing.UIDefaults",
                "com.fasterxml.jackson.databind.node.POJONode");
    }

    @Test
    void noGadgetIsOnTheWireAllowList() {
        assertThat(GADGETS).extracting(Gadget::className).doesNotHaveDuplicates()
                .noneMatch(WIRE_ALLOW_LIST::allows);
    }

    /**
     * A class of our own that is not allowed, whose static initialiser, constructor and hashCode
     * (the HashMap-key trigger) each flip a flag. Refused: none flips and it is never loaded.
     * Then the positive control: with the class allowed, the very same bytes do flip all three
     * and the recorder sees the load, so the checks above are able to fail.
     */
    @Test
    void canaryOutsideTheAllowListIsNeverLoadedInitialisedConstructedOrHashed() throws Exception {
        // The flags live in CanaryFlags: reading them must not initialise Canary itself.
        assertThat(CanaryFlags.INITIALISED).as("nothing may touch Canary before this test").isFalse();
        byte[] payload = hessian(object(HEARTBEAT_RESPONSE, "sessionAdminAddresses",
                map("java.util.HashMap", object(CANARY, "command", str("touch /tmp/pwned")), str("x"))));

        for (Serializer strict : List.of(WireClasses.serializer(), new HessianSerializer(WIRE_ALLOW_LIST))) {
            Decoded d = decode(strict, payload);
            assertThat(d.failure()).isInstanceOf(SerializationException.class);
            assertThat(((SerializationException) d.failure()).rejectedClass()).isEqualTo(CANARY);
            assertThat(d.classLoads()).doesNotContain(CANARY).contains(HEARTBEAT_RESPONSE);
        }
        assertThat(CanaryFlags.INITIALISED).isFalse();
        assertThat(CanaryFlags.CONSTRUCTED).isFalse();
        assertThat(CanaryFlags.HASHED).isFalse();

        // Positive control. Canary.class loads the class but does not initialise it.
        assertThat(Canary.class.getName()).isEqualTo(CANARY);
        Serializer permissive = new HessianSerializer(WIRE_ALLOW_LIST.plus(List.of(Canary.class)));
        Decoded d = decode(permissive, payload);
        assertThat(d.failure()).isNull();
        assertThat(d.value()).isInstanceOf(HeartbeatResponse.class);
        assertThat(d.classLoads()).contains(CANARY);
        assertThat(CanaryFlags.INITIALISED).isTrue();
        assertThat(CanaryFlags.CONSTRUCTED).isTrue();
        assertThat(CanaryFlags.HASHED).isTrue();
    }

    /**
     * JdbcRowSetImpl is on every JDK: its {@code connect()} (reached from a getter-calling chain
     * such as Rome's ToStringBean, or from {@code setAutoCommit}) does a JNDI lookup of
     * {@code dataSource}. Point that at a local listener: refused payloads never connect to it.
     * A non-blocking accept needs no waiting: decoding is synchronous, so a lookup made during it
     * would already be queued when deserialize returns.
     */
    @Test
    void jdbcRowSetImplNeverReachesItsJndiServer() throws Exception {
        String rowSetClass = "com.sun.rowset.JdbcRowSetImpl";
        try (ServerSocketChannel jndi = ServerSocketChannel.open()) {
            jndi.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            jndi.configureBlocking(false);
            String url = "ldap://127.0.0.1:" + ((InetSocketAddress) jndi.getLocalAddress()).getPort() + "/Exploit";
            HessianValue rowSet = object(rowSetClass, "dataSource", str(url), "autoCommit", bool(true));
            String rome = "com.sun.syndication.feed.impl.EqualsBean";
            // Each payload with the class refused first.
            List<Map.Entry<HessianValue, String>> payloads = List.of(
                    Map.entry(rowSet, rowSetClass),
                    Map.entry(map("java.util.HashMap", rowSet, str("x")), rowSetClass),
                    Map.entry(object(HEARTBEAT_RESPONSE, "sessionAdminAddresses",
                            map("java.util.HashMap", str("k"), rowSet)), rowSetClass),
                    // marshalsec Rome: HashMap key EqualsBean -> ToStringBean -> JdbcRowSetImpl getters
                    Map.entry(map("java.util.HashMap", object(rome, "_obj",
                            object("com.sun.syndication.feed.impl.ToStringBean", "_obj", rowSet)), str("x")), rome));

            for (Serializer strict : List.of(WIRE, HESSIAN, WireClasses.serializer())) {
                for (Map.Entry<HessianValue, String> payload : payloads) {
                    Decoded d = decode(strict, hessian(payload.getKey()));
                    assertThat(d.failure()).isInstanceOf(SerializationException.class);
                    assertThat(((SerializationException) d.failure()).rejectedClass()).isEqualTo(payload.getValue());
                    assertThat(d.classLoads()).doesNotContain(rowSetClass, rome);
                    assertThat(jndi.accept()).as("a connection to the JNDI listener").isNull();
                }
            }

            // The tripwire works: a real connection is seen.
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), jndi.socket().getLocalPort());
                 Selector selector = Selector.open()) {
                assertThat(probe.isConnected()).isTrue();
                jndi.register(selector, SelectionKey.OP_ACCEPT);
                assertThat(selector.select(5_000)).isEqualTo(1);
                try (SocketChannel accepted = jndi.accept()) {
                    assertThat(accepted).isNotNull();
                }
            }
        }
    }

    /**
     * The server-level view: one serializer instance, as a connection handler holds it, gets an
     * allowed message with a gadget nested inside, refuses it, and decodes valid messages (Hessian
     * and compact) right after; again and again, so no refusal is remembered as anything else.
     */
    @Test
    void refusedGadgetLeavesTheSerializerWorking() throws Exception {
        Serializer wire = WireClasses.serializer();
        SlotTable table = new SlotTable(9, List.of(new SlotAssignment(0, "10.0.0.1:9600", List.of("10.0.0.2:9600"))));
        HashMap<String, String> admin = new HashMap<>();
        admin.put("10.0.0.1:9603", "http://10.0.0.1:9604");
        HeartbeatResponse valid = new HeartbeatResponse(7, table, new ArrayList<>(List.of("10.0.0.1:9600")),
                new ArrayList<>(List.of("10.0.0.1:9603"))).withSessionAdminAddresses(admin);
        byte[] validHessian = wire.serialize(valid);
        DataInfoId id = DataInfoId.of("com.example.EchoService", "RPC", "tenant-a");
        RegisterPublisherRequest register = new RegisterPublisherRequest(new Publisher(id, "r1", 3, List.of("10.0.0.1:12200"),
                "app", "10.0.0.1", "zone-a", 1_700_000_000_000L, "session-1", "c1"));
        byte[] validCompact = wire.serialize(register);
        String gadgetClass = "org.apache.commons.collections.functors.InvokerTransformer";
        byte[] hostile = hessian(object(HEARTBEAT_RESPONSE, "sessionAdminAddresses",
                map("java.util.HashMap", str("10.0.0.1:9603"), gadget(gadgetClass))));

        for (int round = 0; round < 3; round++) {
            Decoded refused = decode(wire, hostile);
            assertThat(refused.failure()).as("round %d", round).isInstanceOf(SerializationException.class)
                    .hasMessageContaining(gadgetClass);

            HeartbeatResponse copy = (HeartbeatResponse) wire.deserialize(validHessian);
            assertThat(copy.epoch()).isEqualTo(7);
            assertThat(copy.slotTable().sameAssignments(table)).isTrue();
            assertThat(copy.sessionAdminAddresses()).isEqualTo(admin);
            assertThat(((RegisterPublisherRequest) wire.deserialize(validCompact)).publisher())
                    .isEqualTo(register.publisher());
        }
    }

    private static void addIfPresent(List<String> problems, String problem) {
        if (problem != null) {
            problems.add(problem);
        }
    }

    private static final String CANARY = "dev.registry.common.serialize.HessianGadgetRegressionTest$Canary";

    /** Set only by {@link Canary}; a separate class, so that reading a flag does not initialise Canary. */
    static final class CanaryFlags {
        static final AtomicBoolean INITIALISED = new AtomicBoolean();
        static final AtomicBoolean CONSTRUCTED = new AtomicBoolean();
        static final AtomicBoolean HASHED = new AtomicBoolean();
    }

    /** Stands in for a gadget: every step a gadget relies on leaves a mark. Not on any allow-list. */
    static final class Canary implements Serializable {
        private static final long serialVersionUID = 1L;

        static {
            CanaryFlags.INITIALISED.set(true);
        }

        @SuppressWarnings("unused")
        private String command;

        Canary() {
            CanaryFlags.CONSTRUCTED.set(true);
        }

        @Override
        public int hashCode() {
            CanaryFlags.HASHED.set(true);
            return 1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Canary;
        }
    }
}
