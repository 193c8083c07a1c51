package reloaded.memory.buffers;

import java.lang.foreign.MemorySegment;

/**
 * The route of the copy-only hot path ({@link Buffers#write}, {@link Buffers#writeCode}) into the C
 * core, JDK 22+ version (multi-release jar): data goes through the window's hint in Java, with no
 * downcall ({@link WindowWrites}, shared with JDK 17); when that cannot serve, code, or the
 * write-xor-execute mode, a critical java.lang.foreign downcall reading the array in place, with a
 * blocking normal downcall as the slow path (see {@link Downcalls}). JVMs the FFM route does not
 * cover keep the JNI call of the JDK 17 version.
 */
final class NativeRoute {
    /** Whether Buffer's append and close take critical downcalls. */
    private static final boolean ITEM_CALLS = Downcalls.SUPPORTED && Downcalls.hasItemCalls();

    /** Which route this is, for tests and benchmarks (a method: a constant would be inlined by callers). */
    static String name() {
        return Downcalls.SUPPORTED ? "ffm" : "jni";
    }

    private NativeRoute() {
    }

    /**
     * Gets a buffer in [min, max] with size bytes free, copies data into it and releases it.
     *
     * @return the address the first byte went to
     * @throws RuntimeException the mapped status (Status) on failure
     */
    static long write(long min, long max, int size, byte[] data, boolean code) {
        long need = Integer.toUnsignedLong(size);
        long at = code ? 0 : WindowWrites.tryWrite(min, max, need, data);
        if (at != 0) {
            return at;
        }
        return Downcalls.SUPPORTED ? Downcalls.write(min, max, need, MemorySegment.ofArray(data), code)
                : JniWrites.write(min, max, size, data, code);
    }

    /**
     * buffers_item_append(_code) of data[offset, offset + length) (in bounds, not empty) to a locked
     * item of this process: up to 32 bytes as four words by a critical downcall, longer (and where
     * FFM is not taken) by JNI. The address written at, or -status (reason in
     * NativeBuffers.lastError()).
     */
    static long append(long item, byte[] data, int offset, int length, boolean code) {
        if (!ITEM_CALLS || length > JniWrites.WORDS_MAX) {
            return JniWrites.append(item, data, offset, length, code);
        }
        int end = offset + length;
        return Downcalls.appendWords(item, JniWrites.word(data, offset, end), JniWrites.word(data, offset + 8, end),
                JniWrites.word(data, offset + 16, end), JniWrites.word(data, offset + 24, end), length, code);
    }

    /** buffers_item_release of a locked item of this process: a critical downcall (it never waits), else JNI. */
    static void release(long item) {
        if (ITEM_CALLS) {
            Downcalls.release(item);
        } else {
            NativeBuffers.release(item);
        }
    }

    /**
     * The benchmarks' floor of this route for a write: the C bare model through a critical downcall,
     * data (1 to 32 bytes) as four words (JNI's where FFM is not taken); 0 when the model is full.
     */
    static long bare(long min, long max, byte[] data) {
        if (!Downcalls.SUPPORTED || !Downcalls.hasBare()) {
            return JniWrites.bare(min, max, data);
        }
        int n = data.length;
        return Downcalls.bareWords(min, max, JniWrites.word(data, 0, n), JniWrites.word(data, 8, n),
                JniWrites.word(data, 16, n), JniWrites.word(data, 24, n), n);
    }

    /** The floor of this route for the benchmarks: an empty critical downcall (JNI's where FFM is not taken). */
    static void noop() {
        if (!Downcalls.SUPPORTED || !Downcalls.noop()) {
            NativeBuffers.noop();
        }
    }
}
