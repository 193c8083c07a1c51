package reloaded.memory.buffers;

import java.nio.ByteBuffer;

/**
 * The JNI entry points (native/jni/buffers_jni.c). Package-private: the public classes check every
 * argument before calling here, so that the C side only sees values it accepts.
 *
 * <p>Conventions: a handle is a {@code buffers_item*} as a positive {@code long}; a negative result
 * is {@code -buffers_status}; addresses are unsigned.
 */
final class NativeBuffers {
    /** Bumped whenever a signature below changes; checked against the library after loading. */
    static final int ABI_VERSION = 1;

    static {
        NativeLoader.ensureLoaded();
    }

    private NativeBuffers() {
    }

    /** Touches the class so that its static initialiser (the loader) has run. */
    static void init() {
    }

    static native int abiVersion();

    static native String version();

    static native String lastError();

    static native long maxAddress();

    static native int allocationGranularity();

    /** Returns an item handle, or -status. alignment 0 means unaligned. */
    static native long getBuffer(long min, long max, int size, int alignment);

    /** Copies data[offset, offset + length) into the item; the address written at, or 0 if it did not fit. */
    static native long append(long item, byte[] data, int offset, int length, boolean code);

    /** As append, from a direct buffer's memory at [offset, offset + length). */
    static native long appendDirect(long item, ByteBuffer data, int offset, int length, boolean code);

    static native long itemBaseAddress(long item);

    static native int itemSize(long item);

    static native int itemPosition(long item);

    static native int itemBytesLeft(long item);

    static native void release(long item);

    /** get + append + release in one crossing: the address written at, or -status. */
    static native long write(long min, long max, int size, byte[] data, int offset, int length, boolean code);

    /** Fills out with base, size, process id; returns a status. */
    static native int allocatePrivate(long min, long max, int size, int processId, int retryCount,
                                      boolean bruteForce, long[] out);

    static native int freePrivate(long base, long size, int processId);

    static native ByteBuffer directBuffer(long address, int capacity);

    static native void overwriteCode(byte[] source, int offset, int length, long target);

    static native void read(long address, byte[] destination, int offset, int length);

    static native long locatorAddress();

    /** The directory holding this process's locator file; "" where there is none. */
    static native String locatorDirectory();

    /** Five longs per buffer (base, size, position, taken, locator), or null with lastError() set. */
    static native long[] listBuffers();

    /** A JNI call that does nothing: the floor of every crossing (benchmarks). */
    static native void noop();

    /**
     * The C hot path, timed from Java: iterations times get + append + release, all in C. Returns
     * the last address written, or -status.
     */
    static native long hotPathInC(long min, long max, byte[] data, int iterations);
}
