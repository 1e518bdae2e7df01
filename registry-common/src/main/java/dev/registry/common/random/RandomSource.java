package dev.registry.common.random;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Random;

/**
 * Where a node's randomness comes from (issue #21): every jitter, shuffle and random pick of a
 * client or server takes its {@link Random} from here instead of {@code new Random()} or
 * {@code ThreadLocalRandom}, so that one seed decides all of them. A deterministic simulator can
 * then replay a run by giving each node the seed it used; in production the seed is drawn at
 * random and nothing changes.
 *
 * <p>Each component asks once for a {@code Random} of its own, named after it
 * ({@link #forComponent}): the component's sequence then depends only on the node seed and its
 * name, not on how many numbers other components drew first or in which order components were
 * built. Two asks with the same name get two generators with the same sequence, so names must
 * be distinct within a node. The generators are {@code java.util.Random} (thread-safe); a run
 * only replays if the simulator also calls them in the same order, which is its business.
 *
 * <p>Whoever creates a source should log {@link #seed()} at DEBUG, so that a run worth
 * replaying can be reproduced with that seed.
 */
public final class RandomSource {
    /** Draws unseeded sources' seeds and is what {@link #forIds} hands out when unseeded. */
    private static final SecureRandom SECURE = new SecureRandom();

    private final long seed;
    private final boolean seeded;

    private RandomSource(long seed, boolean seeded) {
        this.seed = seed;
        this.seeded = seeded;
    }

    /** A source with a seed drawn at random (once, from a {@link SecureRandom}): the production default. */
    public static RandomSource unseeded() {
        return new RandomSource(SECURE.nextLong(), false);
    }

    /** A source whose every generator follows from {@code seed}: for simulation and reproducing a run. */
    public static RandomSource seeded(long seed) {
        return new RandomSource(seed, true);
    }

    /** {@link #seeded} with the seed, {@link #unseeded} when it is null (how the config records hold it). */
    public static RandomSource of(Long seedOrNull) {
        return seedOrNull == null ? unseeded() : seeded(seedOrNull);
    }

    /** The node seed in use: the given one, or the one drawn for an unseeded source. */
    public long seed() {
        return seed;
    }

    /** Whether the seed was given ({@link #seeded}) rather than drawn. */
    public boolean isSeeded() {
        return seeded;
    }

    /**
     * The generator of one component (jitter, shuffles, random picks), e.g.
     * {@code "session.push-retries"}: the same seed and name always give the same sequence,
     * different names unrelated ones.
     */
    public Random forComponent(String name) {
        return new Random(componentSeed(seed, name));
    }

    /**
     * The generator of identifiers that must be unique across processes and unguessable
     * (registration ids, nonces). Unseeded it is a {@link SecureRandom}, exactly as without this
     * class; seeded it is {@link #forComponent}, whose ids are unique within one simulated run
     * only: a seeded source is for simulation, and a process started again needs another seed
     * or it repeats its ids.
     */
    public Random forIds(String name) {
        return seeded ? forComponent(name) : SECURE;
    }

    /**
     * The seed of a component's generator: the node seed and a 64-bit hash of the name, mixed so
     * that nearby seeds and similar names give unrelated generators ({@code java.util.Random}
     * keeps only 48 bits of its seed, so those must be well mixed too).
     */
    static long componentSeed(long seed, String name) {
        Objects.requireNonNull(name, "name");
        return mix64(seed ^ mix64(fnv1a64(name)));
    }

    /** SplitMix64's finalizer (Stafford's variant 13): every input bit affects every output bit. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** FNV-1a over the UTF-8 bytes: stable across JVMs and runs, unlike identity hashes. */
    private static long fnv1a64(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public String toString() {
        return "RandomSource[seed=" + seed + (seeded ? ", given" : ", drawn") + "]";
    }
}
