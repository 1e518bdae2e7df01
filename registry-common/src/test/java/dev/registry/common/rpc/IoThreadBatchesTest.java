package dev.registry.common.rpc;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IoThreadBatchesTest {
    /** An I/O thread that runs its tasks only when the test says so. */
    private final Queue<Runnable> ioTasks = new ArrayDeque<>();
    private final List<List<Integer>> sent = new ArrayList<>();
    private final List<Integer> refused = new ArrayList<>();

    private void runIoThread() {
        for (Runnable r; (r = ioTasks.poll()) != null; ) {
            r.run();
        }
    }

    @Test
    void whatArrivesWhileTheIoThreadIsBusyLeavesInOrderedBatchesOfAtMostTheLimit() {
        IoThreadBatches<Integer> batches = new IoThreadBatches<>(ioTasks::add, 4, b -> sent.add(List.copyOf(b)), refused::add);
        for (int i = 0; i < 10; i++) {
            batches.add(i);
        }
        assertThat(ioTasks).as("one drain for the burst").hasSize(1);
        runIoThread();
        assertThat(sent).containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6, 7), List.of(8, 9));

        batches.add(10); // the drain ran: the next item schedules another
        assertThat(ioTasks).hasSize(1);
        runIoThread();
        assertThat(sent).last().isEqualTo(List.of(10));
        assertThat(refused).isEmpty();
    }

    @Test
    void anIoThreadThatTakesNoMoreWorkRefusesWhatIsQueued() {
        IoThreadBatches<Integer> batches = new IoThreadBatches<>(r -> {
            throw new RejectedExecutionException("closed");
        }, 4, b -> sent.add(List.copyOf(b)), refused::add);
        batches.add(1);
        batches.add(2);
        assertThat(refused).containsExactly(1, 2);
        assertThat(sent).isEmpty();
        assertThatThrownBy(() -> new IoThreadBatches<Integer>(ioTasks::add, 0, b -> { }, x -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
