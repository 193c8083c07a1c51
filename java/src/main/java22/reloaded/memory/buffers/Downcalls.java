package reloaded.memory.buffers;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * JDK 22+: java.lang.foreign downcalls into the C core exported by the JNI library (exports.map).
 *
 * <p>Calls that never block ({@code buffers_try_write}, {@code buffers_item_append*}) are critical
 * downcalls that read heap arrays in place; {@code buffers_write*}, which may map memory and wait
 * for a lock, runs as a normal downcall on native copies. Only 64-bit JVMs take this route
 * ({@link #SUPPORTED}): uintptr_t and size_t are passed as {@code long}s.
 */
final class Downcalls {
    /**
     * Whether this JVM takes the FFM route: 64-bit, and the loaded library exports every function
     * (a library from an older build, or one whose platform cannot export them, keeps JNI).
     */
    static final boolean SUPPORTED;

    private static final MethodHandle TRY_WRITE;
    private static final MethodHandle WRITE;
    private static final MethodHandle WRITE_CODE;
    private static final MethodHandle APPEND;
    private static final MethodHandle APPEND_CODE;
    private static final MethodHandle LAST_ERROR;
    private static final MethodHandle LAST_STATUS;
    /** The benchmarks' empty function and bare model: null in a library from an older build. */
    private static final MethodHandle NOOP;
    private static final MethodHandle BARE;
    /** buffers_jni_append_words and buffers_item_release (items passed as long): null in a library from an older build. */
    private static final MethodHandle APPEND_WORDS;
    private static final MethodHandle RELEASE;

    static {
        NativeBuffers.init(); // the library is loaded by this class loader: loaderLookup sees it
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        String[] names = {"buffers_try_write", "buffers_write", "buffers_write_code", "buffers_item_append",
            "buffers_item_append_code", "buffers_last_error", "buffers_last_status"};
        MemorySegment[] symbols = new MemorySegment[names.length];
        boolean found = ADDRESS.byteSize() == 8;
        for (int i = 0; i < names.length && found; i++) {
            symbols[i] = lookup.find(names[i]).orElse(null);
            found = symbols[i] != null;
        }
        SUPPORTED = found;
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        FunctionDescriptor write = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        FunctionDescriptor append = FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
        TRY_WRITE = found ? linker.downcallHandle(symbols[0],
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
                critical) : null;
        WRITE = found ? linker.downcallHandle(symbols[1], write) : null;
        WRITE_CODE = found ? linker.downcallHandle(symbols[2], write) : null;
        APPEND = found ? linker.downcallHandle(symbols[3], append, critical) : null;
        APPEND_CODE = found ? linker.downcallHandle(symbols[4], append, critical) : null;
        LAST_ERROR = found ? linker.downcallHandle(symbols[5], FunctionDescriptor.of(ADDRESS)) : null;
        LAST_STATUS = found ? linker.downcallHandle(symbols[6], FunctionDescriptor.of(JAVA_INT)) : null;
        MemorySegment noop = found ? lookup.find("buffers_jni_noop").orElse(null) : null;
        NOOP = noop == null ? null : linker.downcallHandle(noop, FunctionDescriptor.ofVoid(), critical);
        MemorySegment words = found ? lookup.find("buffers_jni_append_words").orElse(null) : null;
        APPEND_WORDS = words == null ? null : linker.downcallHandle(words, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), critical);
        MemorySegment release = found ? lookup.find("buffers_item_release").orElse(null) : null;
        RELEASE = release == null ? null
                : linker.downcallHandle(release, FunctionDescriptor.ofVoid(JAVA_LONG), critical);
        MemorySegment bare = found ? lookup.find("buffers_jni_bare_write_words").orElse(null) : null;
        BARE = bare == null ? null : linker.downcallHandle(bare, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT), critical);
    }

    private Downcalls() {
    }

    /**
     * get + append + release. Fast path: a critical call that succeeds only when a registered
     * buffer with room is free right now; otherwise the blocking call, not critical.
     *
     * @param size bytes that must be free (at least data's size)
     * @return the address written at
     */
    static long write(long min, long max, long size, MemorySegment data, boolean code) {
        long at;
        try {
            at = (long) TRY_WRITE.invokeExact(min, max, (int) size, data, data.byteSize(), code ? 1 : 0);
        } catch (Throwable t) {
            throw rethrown(t);
        }
        return at != 0 ? at : writeBlocking(min, max, size, data, code);
    }

    private static long writeBlocking(long min, long max, long size, MemorySegment data, boolean code) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment settings = arena.allocate(24, 8);
            settings.set(JAVA_LONG, 0, min);
            settings.set(JAVA_LONG, 8, max);
            settings.set(JAVA_INT, 16, (int) size);
            MemorySegment bytes = data.isNative() ? data : arena.allocate(data.byteSize()).copyFrom(data);
            MemorySegment out = arena.allocate(JAVA_LONG);
            int status;
            try {
                status = (int) (code ? WRITE_CODE : WRITE).invokeExact(settings, bytes, bytes.byteSize(), out);
            } catch (Throwable t) {
                throw rethrown(t);
            }
            if (status != Status.OK) {
                throw Status.toException(status, lastError(), min, max, size);
            }
            return out.get(JAVA_LONG, 0);
        }
    }

    /** buffers_item_append(_code) on a locked item: the address written at, or an exception. */
    static long append(long item, MemorySegment data, boolean code) {
        long at;
        try {
            at = (long) (code ? APPEND_CODE : APPEND).invokeExact(MemorySegment.ofAddress(item), data,
                    data.byteSize());
        } catch (Throwable t) {
            throw rethrown(t);
        }
        if (at == 0) {
            throw Status.toException(lastStatus(), lastError(), item, item, data.byteSize());
        }
        return at;
    }

    /** Whether the library has the two calls of Buffer's hot path below (a library from an older build has not). */
    static boolean hasItemCalls() {
        return APPEND_WORDS != null && RELEASE != null;
    }

    /**
     * The glue's append of up to 32 bytes given as four words (buffers_jni_append_words), a critical
     * downcall of scalars: nothing to allocate. The address written at, or -status (reason in
     * NativeBuffers.lastError(), as for the JNI call).
     */
    static long appendWords(long item, long w0, long w1, long w2, long w3, int length, boolean code) {
        try {
            return (long) APPEND_WORDS.invokeExact(item, w0, w1, w2, w3, length, code ? 1 : 0);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** buffers_item_release by a critical downcall (it never waits for an item of this process). */
    static void release(long item) {
        try {
            RELEASE.invokeExact(item);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** An empty critical downcall (the benchmarks' floor of this route); false if the library has none. */
    static boolean noop() {
        if (NOOP == null) {
            return false;
        }
        try {
            NOOP.invokeExact();
        } catch (Throwable t) {
            throw rethrown(t);
        }
        return true;
    }

    /** Whether the library has the benchmarks' C bare model (bench_jni.c). */
    static boolean hasBare() {
        return BARE != null;
    }

    /** The benchmarks' C bare model on up to 32 bytes as four words: the address, 0 when full, or -status. */
    static long bareWords(long min, long max, long w0, long w1, long w2, long w3, int length) {
        try {
            return (long) BARE.invokeExact(min, max, w0, w1, w2, w3, length);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** buffers_last_status() of this thread: the status of the C core's last failure. */
    static int lastStatus() {
        try {
            return (int) LAST_STATUS.invokeExact();
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    /** buffers_last_error() of this thread: the reason of the C core's last failure. */
    static String lastError() {
        try {
            MemorySegment text = (MemorySegment) LAST_ERROR.invokeExact();
            return text.equals(MemorySegment.NULL) ? "" : text.reinterpret(65536).getString(0);
        } catch (Throwable t) {
            throw rethrown(t);
        }
    }

    static RuntimeException rethrown(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("unexpected checked exception from a downcall", t);
    }
}
