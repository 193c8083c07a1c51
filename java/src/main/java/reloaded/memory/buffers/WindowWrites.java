package reloaded.memory.buffers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fast path of {@link Buffers#write} in Java, with no native call; the JDK 17 version (64-bit
 * JVMs), whose JDK 22+ version (java/src/main/java22) reads the same through memory segments. It
 * is the inline {@code buffers_window_write} of reloaded/buffers.h, read through direct buffers
 * over the library's memory: the library's hint for the window (layout 1: base, last, size,
 * pointers to the item's taken and position words) names the buffer that last served it; if that
 * buffer is free and has room it is locked with a compare-and-swap, written, and released.
 * Anything else answers 0 and the caller takes the native call, which answers exactly as it would
 * have (errors included).
 */
final class WindowWrites {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ORDER);
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ORDER);
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ORDER);
    private static final int ENTRY_BYTES = 40; // buffers_window_entry, layout 1, 64-bit

    /** A window: a view of the library's hint slot (null: always call), and the entry it named last. */
    private static final class Window {
        final ByteBuffer slot;
        Entry last = Entry.NONE; // a plain field: entries are immutable, so a stale one is only a miss

        Window(long slot) {
            this.slot = slot == 0 ? null : NativeBuffers.directBuffer(slot, 8);
        }
    }

    /** One hint entry, fixed once published: the buffer's bounds and views of its words and bytes. */
    private record Entry(long address, long base, long last, long size, ByteBuffer taken, ByteBuffer position,
            ByteBuffer bytes) {
        /** The entry no write can use: a buffer over 2 GiB (no direct buffer spans it) or no view. */
        static final Entry NONE = new Entry(0, 0, 0, 0, null, null, null);

        static Entry of(long address) {
            ByteBuffer fields = NativeBuffers.directBuffer(address, ENTRY_BYTES);
            if (fields == null) {
                return NONE;
            }
            fields.order(ORDER);
            long size = Integer.toUnsignedLong(fields.getInt(16));
            if (size == 0 || size > Integer.MAX_VALUE) {
                return NONE;
            }
            long base = fields.getLong(0);
            ByteBuffer taken = NativeBuffers.directBuffer(fields.getLong(24), 4);
            ByteBuffer position = NativeBuffers.directBuffer(fields.getLong(32), 4);
            ByteBuffer bytes = NativeBuffers.directBuffer(base, (int) size);
            return taken == null || position == null || bytes == null ? NONE
                    : new Entry(address, base, fields.getLong(8), size, taken, position, bytes);
        }
    }

    private static final WindowCache<Window> WINDOWS = new WindowCache<>(
            (min, max) -> new Window(NativeBuffers.windowHint(min, max)));
    /** Every entry seen, by address: few (one per buffer a window used) and never changing. */
    private static final ConcurrentHashMap<Long, Entry> ENTRIES = new ConcurrentHashMap<>();

    private WindowWrites() {
    }

    /**
     * Writes data into the buffer that last served [min, max] if it is free and has need bytes of
     * room at or above min; the address written at, or 0 (nothing written, nothing held).
     *
     * @param need at least data.length (the caller's checks are done: data is not empty)
     */
    static long tryWrite(long min, long max, long need, byte[] data) {
        Window window = WINDOWS.get(min, max);
        long address = window.slot == null ? 0 : (long) LONG.getAcquire(window.slot, 0);
        if (address == 0) {
            return 0;
        }
        Entry entry = window.last;
        if (entry.address != address) {
            entry = ENTRIES.computeIfAbsent(address, Entry::of);
            window.last = entry;
        }
        if (entry == Entry.NONE || room(entry, min, need) < 0 || Long.compareUnsigned(entry.last, max) > 0
                || !INT.compareAndSet(entry.taken, 0, 0, 1)) {
            return 0;
        }
        try {
            // Locked: look again (a holder may have given bytes back, buffers_item_unreserve).
            long at = room(entry, min, need);
            if (at < 0) {
                return 0;
            }
            copy(data, entry.bytes, (int) at);
            INT.set(entry.position, 0, (int) (at + data.length));
            return entry.base + at;
        } finally {
            INT.setRelease(entry.taken, 0, 0);
        }
    }

    /** data to bytes at offset: 8 bytes at a time, then the rest. */
    private static void copy(byte[] data, ByteBuffer bytes, int offset) {
        int i = 0;
        for (; i + 8 <= data.length; i += 8) {
            LONG.set(bytes, offset + i, (long) ARRAY_LONG.get(data, i));
        }
        for (; i < data.length; i++) {
            bytes.put(offset + i, data[i]);
        }
    }

    /** The buffer's position if it leaves need bytes of room and lies at or above min, else -1. */
    private static long room(Entry entry, long min, long need) {
        long at = Integer.toUnsignedLong((int) INT.get(entry.position, 0));
        return at + need <= entry.size && Long.compareUnsigned(entry.base + at, min) >= 0 ? at : -1;
    }
}
