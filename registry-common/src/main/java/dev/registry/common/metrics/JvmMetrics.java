package dev.registry.common.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;

/** JVM series (heap, non-heap, threads, GC, uptime, CPUs) in Prometheus text format, from the platform MXBeans. */
public final class JvmMetrics {
    private JvmMetrics() {
    }

    public static void appendPrometheus(StringBuilder out) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = memory.getHeapMemoryUsage();
        MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        out.append("# TYPE jvm_memory_used_bytes gauge\n");
        out.append("jvm_memory_used_bytes{area=\"heap\"} ").append(heap.getUsed()).append('\n');
        out.append("jvm_memory_used_bytes{area=\"nonheap\"} ").append(nonHeap.getUsed()).append('\n');
        out.append("# TYPE jvm_memory_committed_bytes gauge\n");
        out.append("jvm_memory_committed_bytes{area=\"heap\"} ").append(heap.getCommitted()).append('\n');
        out.append("jvm_memory_committed_bytes{area=\"nonheap\"} ").append(nonHeap.getCommitted()).append('\n');
        out.append("# TYPE jvm_memory_max_bytes gauge\n");
        out.append("jvm_memory_max_bytes{area=\"heap\"} ").append(heap.getMax()).append('\n');
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        out.append("# TYPE jvm_threads_live gauge\njvm_threads_live ").append(threads.getThreadCount()).append('\n');
        out.append("# TYPE jvm_gc_collections_total counter\n");
        StringBuilder seconds = new StringBuilder("# TYPE jvm_gc_collection_seconds_total counter\n");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String label = "{gc=\"" + gc.getName().replace("\"", "'") + "\"} ";
            out.append("jvm_gc_collections_total").append(label).append(Math.max(0, gc.getCollectionCount())).append('\n');
            seconds.append("jvm_gc_collection_seconds_total").append(label)
                    .append(Math.max(0, gc.getCollectionTime()) / 1000.0).append('\n');
        }
        out.append(seconds);
        out.append("# TYPE process_uptime_seconds gauge\nprocess_uptime_seconds ")
                .append(ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0).append('\n');
        out.append("# TYPE process_available_processors gauge\nprocess_available_processors ")
                .append(Runtime.getRuntime().availableProcessors()).append('\n');
    }
}
