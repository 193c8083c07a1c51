package reloaded.memory.buffers;

/**
 * The route of the copy-only hot path ({@link Buffers#write}, {@link Buffers#writeCode}) into the C
 * core. This is the JDK 17 version: data through the window's hint in Java, with no native call
 * ({@link WindowWrites}); when that cannot serve, code, or a 32-bit JVM, one JNI call
 * ({@link JniWrites}). The multi-release jar holds a JDK 22+ version (java/src/main/java22) whose
 * calls are java.lang.foreign downcalls instead.
 */
final class NativeRoute {
    /** Which route this is, for tests and benchmarks (a method: a constant would be inlined by callers). */
    static String name() {
        return "jni";
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
        long at = code ? 0 : WindowWrites.tryWrite(min, max, Integer.toUnsignedLong(size), data);
        return at != 0 ? at : JniWrites.write(min, max, size, data, code);
    }

    /**
     * buffers_item_append(_code) of data[offset, offset + length) (in bounds, not empty) to a locked
     * item of this process: the address written at, or -status (reason in NativeBuffers.lastError()).
     */
    static long append(long item, byte[] data, int offset, int length, boolean code) {
        return JniWrites.append(item, data, offset, length, code);
    }

    /** buffers_item_release of a locked item of this process. */
    static void release(long item) {
        NativeBuffers.release(item);
    }

    /** The benchmarks' floor of this route for a write: the C bare model through JNI (0: full). */
    static long bare(long min, long max, byte[] data) {
        return JniWrites.bare(min, max, data);
    }

    /** The floor of this route for the benchmarks: an empty JNI call. */
    static void noop() {
        NativeBuffers.noop();
    }
}
