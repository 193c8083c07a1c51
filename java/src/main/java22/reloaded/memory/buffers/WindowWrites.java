package reloaded.memory.buffers;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * JDK 22+: the fast path of {@link Buffers#write} in Java, with no downcall. It is the inline
 * {@code buffers_window_write} of reloaded/buffers.h, read through memory segments (the JDK 17
 * version reads it through direct buffers, whose checks cost ~6 ns more a write): the library's
 * hint for the window (layout 1: base, last, size, pointers to the item's taken and position
 * words) names the buffer that last served it; if that buffer is free and has room it is locked
 * with a compare-and-swap, written, and released. Anything else answers 0 and the caller takes
 * the downcalls, which answer exactly as they would have (errors included).
 */
final class WindowWrites {
    /** All of the address space: entries and buffers are read and written at their addresses. */
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final VarHandle WORD = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    /** Each window's hint slot (0: none), asked of the library once per window. */
    private static final WindowCache<Long> SLOTS = new WindowCache<>(NativeBuffers::windowHint);

    private WindowWrites() {
    }

    /**
     * Writes data into the buffer that last served [min, max] if it is free and has need bytes of
     * room at or above min; the address written at, or 0 (nothing written, nothing held).
     *
     * @param need at least data.length (the caller's checks are done: data is not empty)
     */
    static long tryWrite(long min, long max, long need, byte[] data) {
        long slot = SLOTS.get(min, max);
        long entry = slot == 0 ? 0 : (long) WORD.getAcquire(ALL, slot);
        if (entry == 0) {
            return 0;
        }
        // Entries never change once published: their fields may be read plainly.
        long base = ALL.get(JAVA_LONG, entry);
        long last = ALL.get(JAVA_LONG, entry + 8);
        long size = Integer.toUnsignedLong(ALL.get(JAVA_INT, entry + 16));
        long taken = ALL.get(JAVA_LONG, entry + 24);
        long position = ALL.get(JAVA_LONG, entry + 32);
        if (room(position, base, size, min, need) < 0 || Long.compareUnsigned(last, max) > 0
                || !INT.compareAndSet(ALL, taken, 0, 1)) {
            return 0;
        }
        try {
            // Locked: look again (a holder may have given bytes back, buffers_item_unreserve).
            long at = room(position, base, size, min, need);
            if (at < 0) {
                return 0;
            }
            copy(data, base + at);
            ALL.set(JAVA_INT, position, (int) (at + data.length));
            return base + at;
        } finally {
            INT.setRelease(ALL, taken, 0);
        }
    }

    /** data to address: 8 bytes at a time, then the rest (MemorySegment.copy costs more for a few bytes). */
    private static void copy(byte[] data, long address) {
        int i = 0;
        for (; i + 8 <= data.length; i += 8) {
            ALL.set(JAVA_LONG_UNALIGNED, address + i, (long) ARRAY_LONG.get(data, i));
        }
        for (; i < data.length; i++) {
            ALL.set(JAVA_BYTE, address + i, data[i]);
        }
    }

    /** The buffer's position if it leaves need bytes of room and lies at or above min, else -1. */
    private static long room(long position, long base, long size, long min, long need) {
        long at = Integer.toUnsignedLong(ALL.get(JAVA_INT, position));
        return at + need <= size && Long.compareUnsigned(base + at, min) >= 0 ? at : -1;
    }
}
