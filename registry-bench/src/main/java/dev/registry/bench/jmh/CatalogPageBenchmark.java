package dev.registry.bench.jmh;

import dev.registry.common.model.DataInfoId;
import dev.registry.common.model.Publisher;
import dev.registry.common.protocol.CatalogPage;
import dev.registry.common.protocol.CatalogQuery;
import dev.registry.data.store.DatumStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One console / CLI catalog page (50 ids) from a data server holding {@code ids} ids in 256
 * slots, one publisher each: the first page, a page from the middle (cursor), and a filtered
 * page (a group that matches 1 id in 1,000). The console's "pages load fast with 1M ids" is this
 * figure times the number of data servers a session asks (in parallel).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g"})
public class CatalogPageBenchmark {
    @Param({"1000000"})
    int ids;

    private DatumStore store;
    private List<Integer> slots;
    private String middle;

    @Setup
    public void setUp() {
        store = new DatumStore(System::currentTimeMillis, 256);
        for (int i = 0; i < ids; i++) {
            DataInfoId id = DataInfoId.of(String.format("com.example.svc%07d", i), i % 1000 == 0 ? "RARE" : null, null);
            store.put(store.slotOf(id), new Publisher(id, "r" + i, 1, List.of("10.0.0.1:8080"), "bench", "10.0.0.1",
                    "z", 1L, "127.0.0.1:9600", "c"));
        }
        slots = new ArrayList<>();
        for (int s = 0; s < 256; s++) {
            slots.add(s);
        }
        middle = DataInfoId.of(String.format("com.example.svc%07d", ids / 2)).canonical();
    }

    @Benchmark
    public CatalogPage firstPage() {
        return store.catalog(slots, new CatalogQuery(null, null, null, null, 50));
    }

    @Benchmark
    public CatalogPage pageInTheMiddle() {
        return store.catalog(slots, new CatalogQuery(null, null, null, middle, 50));
    }

    @Benchmark
    public CatalogPage filteredByGroup() {
        return store.catalog(slots, new CatalogQuery("RARE", null, null, null, 50));
    }
}
