package dev.registry.common.serialize;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The exact class names a peer may make us instantiate. No wildcards or prefixes: a gadget
 * class hiding under an allowed package must not slip through.
 */
public final class ClassAllowList {

    /**
     * Plain JDK containers and values Hessian may name for fields of allowed classes. The
     * collection interfaces are resolved by declared field type; Hessian builds them as
     * ArrayList / HashMap, so naming them instantiates nothing else.
     */
    private static final List<String> JDK_BASICS = List.of(
            "java.util.List", "java.util.Map", "java.util.Set", "java.util.Collection",
            "java.lang.String", "java.lang.Boolean", "java.lang.Byte", "java.lang.Short",
            "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
            "java.lang.Character", "java.util.ArrayList", "java.util.LinkedList",
            "java.util.HashMap", "java.util.LinkedHashMap", "java.util.TreeMap",
            "java.util.HashSet", "java.util.LinkedHashSet", "java.util.TreeSet",
            "java.util.concurrent.ConcurrentHashMap");

    private final Set<String> names;

    private ClassAllowList(Set<String> names) {
        this.names = Set.copyOf(names);
    }

    /** JDK basics plus the given classes. */
    public static ClassAllowList of(Collection<Class<?>> classes) {
        Set<String> names = new HashSet<>(JDK_BASICS);
        for (Class<?> c : classes) {
            names.add(c.getName());
        }
        return new ClassAllowList(names);
    }

    public ClassAllowList plus(Collection<Class<?>> classes) {
        Set<String> more = new HashSet<>(names);
        for (Class<?> c : classes) {
            more.add(c.getName());
        }
        return new ClassAllowList(more);
    }

    public boolean allows(String className) {
        return names.contains(className);
    }

    public Set<String> names() {
        return names;
    }
}
