package dev.registry.bench.report;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every figure of one run, in the order measured. A metric is identified by scenario and
 * name; each system has at most one value for it. Threading: confined to the orchestrator thread.
 */
public final class Results {

    /** Whether a larger value is better (throughput) or worse (latency, bytes). */
    public enum Better { HIGHER, LOWER, NONE }

    public record Metric(String scenario, String name, String unit, Better better) {
    }

    public record Value(String system, double value, String note) {
    }

    private final Map<Metric, Map<String, Value>> values = new LinkedHashMap<>();
    private final Map<String, Histogram> latencies = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final Set<String> systems = new LinkedHashSet<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> sections = new ArrayList<>();

    public void add(String system, String scenario, String name, String unit, Better better, double value, String note) {
        systems.add(system);
        values.computeIfAbsent(new Metric(scenario, name, unit, better), m -> new LinkedHashMap<>())
                .put(system, new Value(system, value, note));
    }

    public void add(String system, String scenario, String name, String unit, Better better, double value) {
        add(system, scenario, name, unit, better, value, null);
    }

    public void latency(String system, Histogram h) {
        systems.add(system);
        latencies.put(system, h);
    }

    /** A scenario that could not run or failed, with the reason (reported, never hidden). */
    public void failure(String system, String scenario, String reason) {
        systems.add(system);
        failures.add(system + " / " + scenario + ": " + reason);
    }

    public void note(String key, String text) {
        notes.put(key, text);
    }

    /** Markdown printed after the table (e.g. a per-node breakdown that does not fit one value per system). */
    public void section(String markdown) {
        sections.add(markdown);
    }

    public List<String> sections() {
        return sections;
    }

    public Map<Metric, Map<String, Value>> values() {
        return values;
    }

    public Map<String, Histogram> latencies() {
        return latencies;
    }

    public Set<String> systems() {
        return systems;
    }

    public List<String> failures() {
        return failures;
    }

    public Map<String, String> notes() {
        return notes;
    }

    /** The value of one metric for one system, or null. */
    public Double get(String scenario, String name, String system) {
        for (Map.Entry<Metric, Map<String, Value>> e : values.entrySet()) {
            if (e.getKey().scenario().equals(scenario) && e.getKey().name().equals(name)) {
                Value v = e.getValue().get(system);
                return v == null ? null : v.value();
            }
        }
        return null;
    }
}
