package reloaded.memory.buffers;

/**
 * What the Java fast path of {@link Buffers#write} keeps per window [min, max]: made once by an
 * opener and remembered in 64 direct-mapped slots (a window that takes another's slot replaces it).
 * Shared by all threads without a lock: a slot holds an immutable record, replaced whole.
 *
 * @param <T> what is kept per window
 */
final class WindowCache<T> {
    /** Makes what is kept for a window (called again if its slot was taken by another window). */
    interface Opener<T> {
        T open(long min, long max);
    }

    private static final int SLOTS = 64;

    private record Kept<T>(long min, long max, T value) {
    }

    private final Kept<?>[] slots = new Kept<?>[SLOTS];
    private final Opener<T> opener;

    WindowCache(Opener<T> opener) {
        this.opener = opener;
    }

    /** What is kept for [min, max], opening it if no slot holds it. */
    @SuppressWarnings("unchecked")
    T get(long min, long max) {
        long mixed = (min ^ (max << 7)) >>> 12;
        int i = (int) ((mixed * 0x9E3779B97F4A7C15L) >>> 58); // top 6 bits: 64 slots
        Kept<T> kept = (Kept<T>) slots[i];
        if (kept == null || kept.min != min || kept.max != max) {
            kept = new Kept<>(min, max, opener.open(min, max));
            slots[i] = kept;
        }
        return kept.value;
    }
}
