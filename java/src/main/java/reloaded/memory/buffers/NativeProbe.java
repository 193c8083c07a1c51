package reloaded.memory.buffers;

/**
 * Whether the native library can be used ({@link Buffers#isAvailable()}): loads it through
 * {@link NativeBuffers} and runs its self-check, once. Above both the loader and the natives, so
 * that the loader knows nothing of the classes it loads for.
 */
final class NativeProbe {
    private static volatile Throwable cause;
    private static volatile boolean probed;

    private NativeProbe() {
    }

    /** Whether the native library loads and passes its self-check (loading it now if need be); never throws. */
    static boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /**
     * Why the native library cannot be used, or null if it loaded and passed its self-check; never
     * throws. The first answer is kept: the load and the check are tried once, so it cannot change.
     */
    static Throwable unavailabilityCause() {
        if (!probed) {
            Throwable found = null;
            try {
                NativeBuffers.init();
                NativeLoader.selfCheck(NativeBuffers::selfCheck, NativeBuffers::lastError);
            } catch (Throwable t) {
                // A later attempt sees NoClassDefFoundError: the first failure says what happened.
                Throwable first = NativeLoader.firstFailure();
                found = first != null ? first : t;
            }
            cause = found;
            probed = true;
        }
        return cause;
    }
}
