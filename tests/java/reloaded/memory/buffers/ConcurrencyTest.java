package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Many threads at once: every write lands in its own range and keeps its bytes. */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 400;

    private record Write(long address, byte[] bytes) {
    }

    private static byte[] stamp(int thread, int round, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (thread * 37 + round * 11 + i);
        }
        return b;
    }

    @Test
    void threadsNeverOverlapAndBytesStayIntact() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<List<Write>>> futures = new ArrayList<>();
        BufferSearchSettings low = new BufferSearchSettings(0, 0x7FFFFFFFL, 48);
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            Callable<List<Write>> task = () -> {
                start.await();
                List<Write> writes = new ArrayList<>();
                for (int r = 0; r < ROUNDS; r++) {
                    int length = 1 + (r * 7 + thread) % 48;
                    byte[] bytes = stamp(thread, r, length);
                    long at;
                    if (r % 3 == 0) {
                        at = Buffers.write(low, bytes);
                    } else {
                        try (Buffer buffer = Buffers.getBuffer(r % 3 == 1 ? low : low.withSize(length), 8)) {
                            at = buffer.append(bytes);
                            assertEquals(0, at % 8);
                        }
                    }
                    writes.add(new Write(at, bytes));
                }
                return writes;
            };
            futures.add(pool.submit(task));
        }
        List<Write> all = new ArrayList<>();
        for (Future<List<Write>> f : futures) {
            all.addAll(f.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertEquals(THREADS * ROUNDS, all.size());

        List<Write> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong(Write::address));
        for (int i = 1; i < sorted.size(); i++) {
            Write prev = sorted.get(i - 1);
            Write next = sorted.get(i);
            assertTrue(prev.address() + prev.bytes().length <= next.address(),
                    "overlap: 0x" + Long.toHexString(prev.address()) + "+" + prev.bytes().length + " and 0x"
                            + Long.toHexString(next.address()));
        }
        Collections.shuffle(all);
        for (Write w : all) {
            byte[] actual = new byte[w.bytes().length];
            Buffers.read(w.address(), actual);
            assertArrayEquals(w.bytes(), actual, "bytes at 0x" + Long.toHexString(w.address()));
        }
    }
}
