package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The JDK 22+ MemorySegment entry points and the FFM route (compiled and run on JDK 22+ only). */
class SegmentsTest {
    private static final long TWO_GIB = 0x7FFF_FFFFL;

    @Test
    void theHotPathTakesTheFfmRouteOnThisJvm() {
        assertEquals("ffm", NativeRoute.name(), "64-bit little-endian JDK 22+ must use the downcall route");
        byte[] data = {1, 2, 3, 4, 5};
        long at = Buffers.write(BufferSearchSettings.defaults(), data);
        assertArrayEquals(data, read(at, data.length));
    }

    @Test
    void writeTakesHeapAndNativeSegmentsInsideTheRange() {
        BufferSearchSettings low = new BufferSearchSettings(0, TWO_GIB, 64);
        byte[] heap = {9, 8, 7, 6};
        long at = Segments.write(low, MemorySegment.ofArray(heap));
        assertTrue(Long.compareUnsigned(at + heap.length - 1, TWO_GIB) <= 0, "inside the range");
        assertArrayEquals(heap, read(at, heap.length));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment direct = arena.allocate(300);
            for (int i = 0; i < 300; i++) {
                direct.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            long code = Segments.writeCode(low, direct);
            assertArrayEquals(direct.toArray(ValueLayout.JAVA_BYTE), read(code, 300));
        }
    }

    @Test
    void aWriteThatNeedsANewBufferTakesTheBlockingPath() {
        // A size no existing buffer has room for: the critical try fails, the normal call makes one.
        int size = 3 * 65536 + 17;
        byte[] data = new byte[size];
        data[size - 1] = 42;
        long at = Segments.write(BufferSearchSettings.defaults().withSize(size), MemorySegment.ofArray(data));
        assertEquals(42, read(at + size - 1, 1)[0]);
    }

    @Test
    void appendAndAppendCodeHonourTheBuffer() {
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(64))) {
            long next = b.baseAddress() + b.position();
            assertEquals(next, Segments.append(b, MemorySegment.ofArray(new byte[0])), "empty: next address");
            long at = Segments.append(b, MemorySegment.ofArray(new byte[] {1, 2}));
            assertEquals(next, at);
            assertEquals(at + 2, Segments.appendCode(b, MemorySegment.ofArray(new byte[] {(byte) 0xC3})));
            long position = b.position();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Segments.append(b, MemorySegment.ofArray(new byte[(int) b.bytesLeft() + 1])));
            assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
            assertTrue(e.getMessage().startsWith("BUFFERS_ERROR_INVALID_ARGUMENT: ")
                    && !e.getMessage().contains("ARGUMENT: BUFFERS_ERROR"), "status named once: " + e.getMessage());
            assertEquals(position, b.position(), "nothing written");
        }
        Buffer closed = Buffers.getBuffer(BufferSearchSettings.defaults());
        closed.close();
        assertThrows(IllegalStateException.class, () -> Segments.append(closed, MemorySegment.ofArray(new byte[1])));
    }

    @Test
    void badArgumentsAreRefused() {
        BufferSearchSettings any = BufferSearchSettings.defaults();
        assertThrows(NullPointerException.class, () -> Segments.write(null, MemorySegment.ofArray(new byte[1])));
        assertThrows(NullPointerException.class, () -> Segments.write(any, null));
        assertThrows(IllegalArgumentException.class, () -> Segments.write(any, MemorySegment.ofArray(new byte[0])));
        assertThrows(NullPointerException.class, () -> Segments.of(null));
        MemorySegment gone;
        try (Arena arena = Arena.ofConfined()) {
            gone = arena.allocate(8);
        }
        MemorySegment stale = gone;
        assertThrows(IllegalStateException.class, () -> Segments.write(any, stale), "closed scope");
        assertThrows(IllegalStateException.class, () -> Segments.writeCode(any, stale), "closed scope");
    }

    @Test
    void aPrivateSegmentEndsWithItsAllocation() {
        PrivateAllocation memory = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults());
        MemorySegment view = Segments.of(memory);
        assertEquals(memory.size(), view.byteSize());
        assertEquals(memory.baseAddress(), view.address());
        view.set(ValueLayout.JAVA_INT, 8, 0x01020304);
        assertArrayEquals(new byte[] {4, 3, 2, 1}, read(memory.baseAddress() + 8, 4));
        long at = Segments.write(BufferSearchSettings.defaults(), view.asSlice(8, 4));
        assertArrayEquals(new byte[] {4, 3, 2, 1}, read(at, 4));
        memory.close();
        assertThrows(IllegalStateException.class, () -> view.get(ValueLayout.JAVA_INT, 8));
        assertThrows(IllegalStateException.class, () -> view.set(ValueLayout.JAVA_INT, 8, 1));
        assertThrows(IllegalStateException.class, () -> Segments.write(BufferSearchSettings.defaults(), view));
        assertThrows(IllegalStateException.class, () -> Segments.of(memory));
    }

    @Test
    void closeRacingSegmentUseEitherWorksOrThrowsIllegalState() throws Exception {
        for (int round = 0; round < 20; round++) {
            PrivateAllocation memory = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults());
            MemorySegment view = Segments.of(memory);
            ByteBuffer legacy = memory.asByteBuffer(); // both kinds of view on one allocation
            CloseRace.race(() -> {
                try {
                    for (int i = 0; i < 20_000; i++) {
                        view.set(ValueLayout.JAVA_INT, (i * 4L) % (view.byteSize() - 4), i);
                        legacy.putInt((i * 8) % (legacy.capacity() - 4), i);
                    }
                } catch (IllegalStateException closed) {
                    // the segment's scope ended: the expected way out
                }
            }, () -> closeRetryingWhileInUse(memory));
            assertThrows(IllegalStateException.class, () -> view.get(ValueLayout.JAVA_INT, 0));
            legacy.putInt(0, 1); // the byte buffer still works, on retired zero pages
            assertEquals(1, legacy.getInt(0));
        }
    }

    /** A shared arena refuses to close while a thread holds its segment in an access: retry. */
    private static void closeRetryingWhileInUse(PrivateAllocation memory) {
        for (int attempt = 0; ; attempt++) {
            try {
                memory.close();
                return;
            } catch (IllegalStateException busy) {
                if (attempt > 1000) {
                    throw busy;
                }
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void aReservationIsFilledThroughASegmentThatDiesWithIt() {
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(64))) {
            Reservation reservation = buffer.reserve(16);
            MemorySegment view = Segments.ofReservation(reservation);
            assertEquals(16, view.byteSize());
            view.set(ValueLayout.JAVA_BYTE, 15, (byte) 0x5A);
            MemorySegment.copy(MemorySegment.ofArray(new byte[] {1, 2, 3}), 0, view, 0, 3);
            reservation.commit();
            assertArrayEquals(new byte[] {1, 2, 3}, read(reservation.address(), 3));
            assertEquals(0x5A, read(reservation.address() + 15, 1)[0]);
            assertThrows(IndexOutOfBoundsException.class, () -> view.get(ValueLayout.JAVA_BYTE, 16));
            reservation.unreserve();
            assertThrows(IllegalStateException.class, () -> view.get(ValueLayout.JAVA_BYTE, 0), "given back");
            assertThrows(IllegalStateException.class, () -> Segments.ofReservation(reservation));
        }
    }

    private static byte[] read(long address, int length) {
        byte[] out = new byte[length];
        Buffers.read(address, out);
        return out;
    }
}
