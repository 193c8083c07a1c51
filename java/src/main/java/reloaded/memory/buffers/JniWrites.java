package reloaded.memory.buffers;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Buffers.write (JDK 17, and JDK 22+ where the FFM route is not taken) and Buffer.append through
 * JNI. Up to 32 bytes travel as four long arguments, so the native never calls back into the JVM
 * for the array (each such call is a thread-state transition, ~2x an empty JNI call); longer arrays
 * go as the array.
 */
final class JniWrites {
    static final int WORDS_MAX = 32;
    private static final VarHandle WORD = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private JniWrites() {
    }

    /**
     * get + append + release of data (not empty) with size bytes free.
     *
     * @return the address written at
     * @throws RuntimeException the mapped status (Status) on failure
     */
    static long write(long min, long max, int size, byte[] data, boolean code) {
        int n = data.length;
        long result = n > WORDS_MAX
                ? NativeBuffers.write(min, max, size, data, 0, n, code)
                : NativeBuffers.writeWords(min, max, size, word(data, 0, n), word(data, 8, n), word(data, 16, n),
                        word(data, 24, n), n, code);
        return Status.check(result, min, max, size);
    }

    /**
     * buffers_item_append(_code) of data[offset, offset + length) (in bounds, checked by the caller)
     * to the locked item: the address written at, or -status.
     */
    static long append(long item, byte[] data, int offset, int length, boolean code) {
        if (length > WORDS_MAX) {
            return NativeBuffers.append(item, data, offset, length, code);
        }
        int end = offset + length;
        return NativeBuffers.appendWords(item, word(data, offset, end), word(data, offset + 8, end),
                word(data, offset + 16, end), word(data, offset + 24, end), length, code);
    }

    /**
     * The benchmarks' floor of this route for a write: the C bare model (bench_jni.c) reached as
     * {@link #write} reaches the C core, data (1 to 32 bytes) as four words. The address written
     * at, or 0 when the model is full.
     */
    static long bare(long min, long max, byte[] data) {
        int n = data.length;
        return NativeBuffers.bareWriteWords(min, max, word(data, 0, n), word(data, 8, n), word(data, 16, n),
                word(data, 24, n), n);
    }

    /** The bytes from..from+7 of data as a word in memory order; bytes at or past end are 0. */
    static long word(byte[] data, int from, int end) {
        if (from + 8 <= end) {
            return (long) WORD.get(data, from);
        }
        long word = 0;
        for (int i = from; i < end; i++) {
            int shift = 8 * (LITTLE ? i - from : 7 - (i - from));
            word |= (data[i] & 0xFFL) << shift;
        }
        return word;
    }
}
