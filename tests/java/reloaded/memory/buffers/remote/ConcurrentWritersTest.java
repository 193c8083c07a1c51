package reloaded.memory.buffers.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.ProcessBuffers;

/** Two threads share one handle to a target JVM: their ranges never overlap and every byte arrives. */
class ConcurrentWritersTest {
    private static final int THREADS = 2;
    private static final int RECORDS = 60;

    /** Where one record went and what it holds. */
    private record Record(long address, byte[] bytes) {
    }

    @Test
    void twoThreadsGetNonOverlappingRangesWithTheirBytesIntact() throws Exception {
        Targets.assumeProcessBuffersWork();
        try (Targets.Target target = Targets.startJvm();
             ProcessBuffers process = Buffers.ofProcess(target.pid())) {
            List<Record> records = new CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < RECORDS; i++) {
                        byte[] bytes = pattern(thread, i);
                        BufferSearchSettings near = BufferSearchSettings.fromProximity(0x7FFFFFFFL,
                                target.bufferAddress(), bytes.length);
                        try (Buffer buffer = process.getBuffer(near)) {
                            records.add(new Record(buffer.append(bytes), bytes));
                        }
                    }
                    return null;
                }));
            }
            pool.shutdown();
            for (Future<?> f : done) {
                f.get(300, TimeUnit.SECONDS); // rethrows a writer's failure
            }
            assertEquals(THREADS * RECORDS, records.size());
            List<Record> sorted = new ArrayList<>(records);
            sorted.sort(Comparator.comparing(Record::address, Long::compareUnsigned));
            for (int i = 1; i < sorted.size(); i++) {
                Record before = sorted.get(i - 1);
                assertTrue(Long.compareUnsigned(before.address() + before.bytes().length, sorted.get(i).address()) <= 0,
                        "overlap at 0x" + Long.toHexString(sorted.get(i).address()));
            }
            for (Record r : sorted) {
                assertArrayEquals(r.bytes(), Targets.read(target.pid(), r.address(), r.bytes().length),
                        "bytes at 0x" + Long.toHexString(r.address()));
            }
        }
    }

    /** 8 to 64 bytes that name their writer and index, so a record overwritten by another shows. */
    private static byte[] pattern(int thread, int index) {
        byte[] bytes = new byte[8 + (index * 7 + thread * 13) % 57];
        for (int k = 0; k < bytes.length; k++) {
            bytes[k] = (byte) (thread * 101 + index * 31 + k * 7 + 1);
        }
        return bytes;
    }
}
