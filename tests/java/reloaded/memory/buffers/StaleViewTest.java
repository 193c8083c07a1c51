package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * A byte buffer view of a private allocation used after close() must neither fault (a JVM crash)
 * nor alias memory handed out later; the range is given back once the view is unreachable.
 */
class StaleViewTest {
    private static final long GC_DEADLINE_NANOS = 60_000_000_000L; // generous: the machine is shared

    @Test
    void aStaleViewReadsAndWritesPrivateZeroMemory() {
        PrivateAllocation memory = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults());
        ByteBuffer view = memory.asByteBuffer();
        ByteBuffer slice = view.slice(16, 16);
        view.putLong(0, 0x1122334455667788L);
        memory.close();
        assertEquals(0L, view.getLong(0), "after close the view sees fresh zero pages, not the old bytes");
        view.putLong(0, 42L);
        assertEquals(42L, view.getLong(0));
        slice.put(0, (byte) 7);
        assertEquals(7, view.get(16), "slices share the retired range");
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults())) {
            long at = buffer.append(view.duplicate().limit(8)); // a stale view as a source: no crash
            byte[] copied = new byte[8];
            Buffers.read(at, copied);
            assertEquals(42, copied[7], "big-endian long 42 read through the stale view");
        }
    }

    @Test
    void theRangeStaysReservedWhileAViewLivesAndIsFreedWhenItIsGone() {
        PrivateAllocation memory = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults());
        long base = memory.baseAddress();
        long size = memory.size();
        ByteBuffer view = memory.asByteBuffer();
        memory.close();
        BufferAllocatorSettings exactlyThere = BufferAllocatorSettings.defaults().withRange(base, base + size - 1)
                .withSize((int) size);
        for (int i = 0; i < 3; i++) {
            System.gc();
            assertThrows(BufferAllocationException.class, () -> Buffers.allocatePrivateMemory(exactlyThere),
                    "the range must stay reserved while the view is reachable");
            view.put(i, (byte) i); // still usable after collections
            assertEquals(i, view.get(i));
        }
        view = null; // drop the only view
        long deadline = System.nanoTime() + GC_DEADLINE_NANOS;
        while (true) {
            System.gc();
            try (PrivateAllocation again = Buffers.allocatePrivateMemory(exactlyThere)) {
                assertEquals(base, again.baseAddress(), "the range was given back once the view was unreachable");
                return;
            } catch (BufferAllocationException stillReserved) {
                if (System.nanoTime() > deadline) {
                    fail("the range was not freed within 60 s of its last view becoming unreachable");
                }
                sleep(50);
            }
        }
    }

    @Test
    void staleViewsNeverAliasMemoryMadeWhileTheyAreUsed() throws Exception {
        List<PrivateAllocation> closed = new ArrayList<>();
        List<ByteBuffer> views = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            PrivateAllocation memory = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults());
            views.add(memory.asByteBuffer());
            closed.add(memory);
        }
        long[][] ranges = new long[closed.size()][];
        for (int i = 0; i < closed.size(); i++) {
            ranges[i] = new long[] {closed.get(i).baseAddress(), closed.get(i).size()};
            closed.get(i).close();
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread scribbler = new Thread(() -> { // writes 0xFF all over every stale view until told to stop
            try {
                while (done.getCount() > 0) {
                    for (ByteBuffer v : views) {
                        for (int at = 0; at < v.capacity(); at += 64) {
                            v.put(at, (byte) 0xFF);
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        scribbler.start();
        try {
            for (int i = 0; i < 40; i++) {
                byte[] data = new byte[64];
                long at = Buffers.write(BufferSearchSettings.defaults().withSize(4096 * (1 + i % 4)), data);
                try (PrivateAllocation fresh = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults())) {
                    for (long[] r : ranges) {
                        assertFalse(Addresses.contains(r[0], r[1], fresh.baseAddress(), 1), "new memory in a retired range");
                        assertFalse(Addresses.contains(r[0], r[1], at, 1), "a buffer in a retired range");
                    }
                    ByteBuffer mine = fresh.asByteBuffer();
                    assertEquals(0, mine.get(0), "fresh private memory is untouched by stale views");
                }
                byte[] back = new byte[64];
                Buffers.read(at, back);
                assertEquals(0, back[0] | back[63], "written bytes stay intact");
            }
        } finally {
            done.countDown();
            scribbler.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a stale view failed", failure.get());
        }
    }

    @Test
    void closeRacingViewUseNeverFaults() throws Exception {
        for (int round = 0; round < 20; round++) {
            PrivateAllocation memory = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults());
            ByteBuffer view = memory.asByteBuffer();
            CloseRace.race(() -> {
                for (int i = 0; i < 20_000; i++) {
                    view.putInt((i * 4) % (view.capacity() - 4), i);
                    view.getInt((i * 8) % (view.capacity() - 4));
                }
            }, memory::close);
            assertFalse(memory.isOpen());
            assertThrows(IllegalStateException.class, memory::asByteBuffer);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
