package reloaded.memory.buffers;

import java.nio.ByteBuffer;

/**
 * The JNI entry points (native/jni/buffers_jni.c). Package-private: the public classes check every
 * argument before calling here, so that the C side only sees values it accepts.
 *
 * <p>Conventions: a handle is a {@code buffers_item*} as a positive {@code long}; addresses are
 * unsigned. One failure convention (native/jni/jni_status.h): a failing call returns
 * {@code -buffers_status} (or null where it returns an object) and {@link #lastError()} always says
 * why; {@link Status#check} turns it into the exception.
 *
 * <p>The natives are bound by {@code RegisterNatives} in the library's {@code JNI_OnLoad}, which
 * finds this class by the name put in {@link #CLASS_PROPERTY} for the loading thread, so a
 * relocated (shaded) copy of these classes binds to its own library copy.
 */
final class NativeBuffers {
    /** Bumped whenever a signature below changes; checked against the library after loading. */
    static final int ABI_VERSION = 12;

    /** Prefix of the system property (+ thread id) naming this class to JNI_OnLoad. */
    static final String CLASS_PROPERTY = "reloaded.buffers.jni.class.";

    // The one place the library is loaded: the JVM runs this once per class loader, whichever
    // thread and call come first (the probe included), and holds the others until it is done.
    /** The system property that names the folder of the locator files, as BUFFERS_SHARED_ROOT does. */
    static final String SHARED_ROOT_PROPERTY = "reloaded.buffers.sharedRoot";

    static {
        NativeLoader.loadFor(NativeBuffers.class, CLASS_PROPERTY, NativeBuffers::abiVersion, ABI_VERSION);
        applySharedRoot();
    }

    /**
     * Hands the system property {@value #SHARED_ROOT_PROPERTY} to the C library before anything can
     * open the locator; a path it refuses makes the library unavailable, with the reason.
     */
    private static void applySharedRoot() {
        String root = System.getProperty(SHARED_ROOT_PROPERTY);
        if (root != null && !root.isEmpty() && useSharedRoot(root) < 0) {
            throw new IllegalArgumentException("-D" + SHARED_ROOT_PROPERTY + "=" + root + ": " + lastError());
        }
    }

    private NativeBuffers() {
    }

    /** Touches the class so that its static initialiser (the loader) has run; throws if it failed. */
    static void init() {
    }

    static native int abiVersion();

    static native String version();

    static native String lastError();

    /** buffers_use_shared_root: 0, or -status (reason in lastError()). */
    static native long useSharedRoot(String directory);

    static native long maxAddress();

    static native int allocationGranularity();

    /** Returns an item handle, or -status. alignment 0 means unaligned. */
    static native long getBuffer(long min, long max, int size, int alignment);

    /** Copies data[offset, offset + length) into the item; the address written at, or -status. */
    static native long append(long item, byte[] data, int offset, int length, boolean code);

    /** append of up to 32 bytes given as four words in memory order (JniWrites): no call back into the JVM. */
    static native long appendWords(long item, long w0, long w1, long w2, long w3, int length, boolean code);

    /** As append, from a direct buffer's memory at [offset, offset + length). */
    static native long appendDirect(long item, ByteBuffer data, int offset, int length, boolean code);

    static native long itemBaseAddress(long item);

    /** The C uint32_t counters as raw 32 bits; read them with Integer.toUnsignedLong. */
    static native int itemSize(long item);

    static native int itemPosition(long item);

    static native int itemBytesLeft(long item);

    static native void release(long item);

    /** get + append + release in one crossing: the address written at, or -status. */
    static native long write(long min, long max, int size, byte[] data, int offset, int length, boolean code);

    /** write of up to 32 bytes given as four words in memory order (JniWrites): no call back into the JVM. */
    static native long writeWords(long min, long max, int size, long w0, long w1, long w2, long w3, int length,
            boolean code);

    /**
     * The library's hint slot for the window [min, max] (buffers_window_open, layout 1), read by
     * WindowWrites; 0 where every write of the window must take a call (and on 32-bit JVMs).
     */
    static native long windowHint(long min, long max);

    /** Fills out with base, size, process id; returns 0 or -status. */
    static native long allocatePrivate(long min, long max, int size, int processId, int retryCount,
                                       boolean bruteForce, long[] out);

    /** 0 or -status. */
    static native long freePrivate(long base, long size, int processId);

    /** Replaces the pages by zero read/write pages, keeping the range reserved; 0 or -status. */
    static native long retirePrivate(long base, long size, int processId);

    /** A direct buffer over the memory, or null. */
    static native ByteBuffer directBuffer(long address, int capacity);

    /** 0 or -status. */
    static native long overwriteCode(byte[] source, int offset, int length, long target);

    /** 0 or -status. */
    static native long read(long address, byte[] destination, int offset, int length);

    /** The address, or -status. */
    static native long locatorAddress();

    /** The directory holding this process's locator file; "" where there is none. */
    static native String locatorDirectory();

    /** Five longs per buffer (base, size, position, taken, locator), or null (reason in lastError()). */
    static native long[] listBuffers();

    /**
     * buffers_locator_files under root (null: this process's root): the count, or -status. out[0]
     * gets a long[] of five per file (pid, owner uid or -1, state, regular 0/1, directory length),
     * out[1] a String[] of paths, out[2] a String[] of process names.
     */
    static native long locatorFiles(String root, Object[] out);

    /**
     * buffers_locator_file_read of at most maxLocators locators: the count read, or -status. out[0]
     * gets a long[] of six per locator (address, next, items, pointer size, locked, from file),
     * out[1] a long[] of five per item (base, size, position, taken, locator), out[2] the note.
     */
    static native long locatorFileRead(String path, int maxLocators, Object[] out);

    /** buffers_locator_file_remove_stale: 1 removed (would be), 0 kept (why[0] says why), or -status. */
    static native long locatorFileRemoveStale(String path, boolean dryRun, String[] why);

    /** buffers_shared_root as its (UTF-8) bytes, empty on Windows; null when the JVM had no room (reason in lastError()). */
    static native byte[] sharedRoot();

    /** buffers_use_rust_layout: 0, or -status (reason in lastError()). */
    static native long useRustLayout();

    /** buffers_use_write_xor_execute: 0, or -status (reason in lastError()). */
    static native long useWriteXorExecute();

    /** buffers_write_xor_execute_reason: "" in the ordinary mode. */
    static native String writeXorExecuteReason();

    /** buffers_locator_layout: "document", "rust", or "" when the locator cannot be found. */
    static native String locatorLayout();

    /**
     * buffers_self_check: 0 once the library proved itself here, or -status (reason, naming the
     * failed step, in lastError()); 0 at once in builds without the self-check (docs/platforms.md).
     */
    static native long selfCheck();

    /** buffers_process_open: a process handle (positive), or -status (reason in lastError()). */
    static native long processOpen(int pid);

    /** buffers_process_close; 0 is ignored. Release the process's items first: their handles die with it. */
    static native void processClose(long process);

    /** buffers_process_get_buffer: an item handle acting in that process, or -status. */
    static native long processGetBuffer(long process, long min, long max, int size);

    /** buffers_search_settings_within: out gets min, max; 0 or -status (reason in lastError()). */
    static native long searchWithin(long distance, long[] targets, int size, long[] out);

    /** buffers_search_settings_rel32: out gets min, max; 0 or -status (a jump address above a 32-bit space). */
    static native long searchRel32(long jumpAddress, int size, long[] out);

    /** buffers_item_reserve: out gets the address and the writable address; 0 or -status. */
    static native long reserve(long item, int size, long[] out);

    /** buffers_item_unreserve: 0 or -status. */
    static native long unreserve(long item, long address);

    /** buffers_commit_code: 0 or -status. */
    static native long commitCode(long address, long size);

    /** A JNI call that does nothing: the floor of every crossing (benchmarks). */
    static native void noop();

    /** Gives the benchmarks' bare model (bench_jni.c) bytes of prefaulted memory: its base, or -status. */
    static native long bareOpen(int bytes);

    /** The bare model's write of up to 32 bytes given as four words: the address written at, or 0. */
    static native long bareWriteWords(long min, long max, long w0, long w1, long w2, long w3, int length);

    /**
     * The C hot path, timed from Java: iterations times get + append + release, all in C. Returns
     * the last address written, or -status.
     */
    static native long hotPathInC(long min, long max, byte[] data, int iterations);
}
