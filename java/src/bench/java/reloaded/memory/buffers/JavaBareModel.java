package reloaded.memory.buffers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The C bare model (tests/bench/bench_support.h) in Java, with no native call: check the one item,
 * take it with a compare-and-swap, copy, bump the position, release, on native memory (a direct
 * buffer, so the same on JDK 17 and 22+; its view VarHandles compile to the same instructions as a
 * segment's). What any Java write of the format costs at least, whatever the route.
 */
final class JavaBareModel {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final int TAKEN = 0;
    private static final int POSITION = 4;
    private static final int DATA = 64; // the item's words on a cache line of their own

    private final ByteBuffer memory;
    private final long base = 0x10000; // an address, as if the buffer were at base
    private final int size;

    /** A model whose buffer holds bytes bytes, every page touched. */
    JavaBareModel(int bytes) {
        memory = ByteBuffer.allocateDirect(DATA + bytes).order(ByteOrder.nativeOrder());
        size = bytes;
    }

    /** Writes data (a multiple of 8 bytes) if it fits in [min, max]: the address, or 0. */
    long write(long min, long max, byte[] data) {
        int at = (int) INT.get(memory, POSITION);
        if (size - at < data.length || Long.compareUnsigned(base + at, min) < 0
                || Long.compareUnsigned(base + size - 1, max) > 0) {
            return 0;
        }
        if (!INT.compareAndSet(memory, TAKEN, 0, 1)) {
            return 0;
        }
        for (int i = 0; i < data.length; i += 8) {
            LONG.set(memory, DATA + at + i, (long) ARRAY_LONG.get(data, i));
        }
        INT.set(memory, POSITION, at + data.length);
        INT.setRelease(memory, TAKEN, 0);
        return base + at;
    }
}
