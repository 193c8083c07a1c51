package reloaded.memory.buffers;

import java.lang.foreign.MemorySegment;

/**
 * The route of the copy-only hot path ({@link Buffers#write}, {@link Buffers#writeCode}) into the C
 * core, JDK 22+ version (multi-release jar): data goes through the window's hint in Java, with no
 * downcall ({@link WindowWrites}); when that cannot serve, code, or the write-xor-execute mode, a
 * critical java.lang.foreign downcall reading the array in place, with a blocking normal downcall as
 * the slow path (see {@link Downcalls}). JVMs the FFM route does not cover keep the JNI call of the
 * JDK 17 version.
 */
final class NativeRoute {
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
        if (!Downcalls.SUPPORTED) {
            return JniWrites.write(min, max, size, data, code);
        }
        long need = Integer.toUnsignedLong(size);
        long at = code ? 0 : WindowWrites.tryWrite(min, max, need, data);
        return at != 0 ? at : Downcalls.write(min, max, need, MemorySegment.ofArray(data), code);
    }

    /** The floor of this route for the benchmarks: an empty critical downcall (JNI's where FFM is not taken). */
    static void noop() {
        if (!Downcalls.SUPPORTED || !Downcalls.noop()) {
            NativeBuffers.noop();
        }
    }
}
