package reloaded.memory.buffers;

/**
 * The route of the copy-only hot path ({@link Buffers#write}, {@link Buffers#writeCode}) into the C
 * core. This is the JDK 17 version: one JNI call ({@link JniWrites}). The multi-release jar holds a
 * JDK 22+ version (java/src/main/java22) that goes through the window's hint and java.lang.foreign
 * downcalls instead.
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
        return JniWrites.write(min, max, size, data, code);
    }

    /** The floor of this route for the benchmarks: an empty JNI call. */
    static void noop() {
        NativeBuffers.noop();
    }
}
