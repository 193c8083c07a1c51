package reloaded.memory.buffers;

/** The benchmarks' buffer: a fresh one, every page touched, and a window only it matches. */
final class BenchWindow {
    private static final int PAGE = 4096;

    private BenchWindow() {
    }

    /**
     * Settings of size bytes per request whose window is exactly a new buffer of at least bytes
     * (whole 64 KiB units, so the buffer ends at max). Its pages are written once through a
     * reservation that is then given back: no timed write takes a page fault (one per 4 KiB page
     * cost ~10 ns per 16-byte write, more than the FFM route's whole fast path).
     */
    static BufferSearchSettings of(long bytes, int size) {
        int rounded = (int) ((bytes + 0xFFFF) & ~0xFFFF);
        long base;
        byte[] one = new byte[1];
        try (Buffer big = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(rounded))) {
            base = big.baseAddress() + big.position();
            if (big.bytesLeft() < rounded) {
                throw new IllegalStateException("no fresh buffer of " + rounded + " bytes");
            }
            Reservation all = big.reserve(rounded);
            for (int offset = 0; offset < rounded; offset += PAGE) {
                all.write(offset, one);
            }
            all.unreserve();
        }
        // The C core compares the buffer's exclusive end with max, so max is one past the last byte.
        BufferSearchSettings window = new BufferSearchSettings(base, base + rounded, size);
        Buffers.write(window, one); // fails here, not silently later, if the window does not match
        return window;
    }
}
