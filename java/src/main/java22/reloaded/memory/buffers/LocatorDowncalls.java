package reloaded.memory.buffers;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * JDK 22+: the locator-file calls of the C core ({@code buffers_locator_files},
 * {@code buffers_locator_file_read}, {@code buffers_locator_file_remove_stale}, {@code buffers_shared_root}) as java.lang.foreign
 * downcalls, reading the C structs at the offsets that native/src/api/locator_files.c asserts for
 * 64-bit builds (the only ones this route serves).
 */
final class LocatorDowncalls {
    /** 64-bit, the JNI route's downcalls work, and the library exports these functions. */
    static final boolean SUPPORTED;

    // buffers_locator_file: path[1024], directory_length, pid, owner_uid, state, regular, process_name[32]
    private static final long FILE_SIZE = 1076;
    private static final long FILE_DIRECTORY_LENGTH = 1024;
    private static final long FILE_PID = 1028;
    private static final long FILE_OWNER_UID = 1032;
    private static final long FILE_STATE = 1036;
    private static final long FILE_REGULAR = 1040;
    private static final long FILE_PROCESS_NAME = 1041;
    // buffers_locator_block: address, next_address, item_count, pointer_size, locked, from_file
    private static final long BLOCK_SIZE = 32;
    // buffers_buffer_info: base_address, size, position, taken, locator_address
    private static final long INFO_SIZE = 32;
    private static final int ITEMS_PER_BLOCK = 255;
    private static final int NOTE_SIZE = 512;

    private static final MethodHandle FILES;
    private static final MethodHandle READ;
    private static final MethodHandle REMOVE_STALE;
    private static final MethodHandle SHARED_ROOT;

    static {
        SymbolLookup lookup = SymbolLookup.loaderLookup();
        boolean base = Downcalls.SUPPORTED; // loads the library; 64-bit; the hot-path symbols exist
        MemorySegment files = base ? lookup.find("buffers_locator_files").orElse(null) : null;
        MemorySegment read = base ? lookup.find("buffers_locator_file_read").orElse(null) : null;
        MemorySegment remove = base ? lookup.find("buffers_locator_file_remove_stale").orElse(null) : null;
        MemorySegment root = base ? lookup.find("buffers_shared_root").orElse(null) : null;
        SUPPORTED = files != null && read != null && remove != null && root != null;
        Linker linker = Linker.nativeLinker();
        FILES = SUPPORTED ? linker.downcallHandle(files, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
                ADDRESS)) : null;
        READ = SUPPORTED ? linker.downcallHandle(read, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG,
                ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG)) : null;
        REMOVE_STALE = SUPPORTED ? linker.downcallHandle(remove, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BYTE,
                ADDRESS, ADDRESS, JAVA_LONG)) : null;
        SHARED_ROOT = SUPPORTED ? linker.downcallHandle(root, FunctionDescriptor.of(ADDRESS)) : null;
    }

    private LocatorDowncalls() {
    }

    private static void check(int status) {
        if (status != Status.OK) {
            throw Status.toException(status, Downcalls.lastError(), 0, 0, 0);
        }
    }

    static String sharedRoot() {
        try {
            // a string the library owns, NUL-terminated, of no fixed length (the environment's text)
            return ((MemorySegment) SHARED_ROOT.invokeExact()).reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw Downcalls.rethrown(t);
        }
    }

    static List<LocatorFiles.Entry> list(String root) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rootText = root == null ? MemorySegment.NULL : arena.allocateFrom(root);
            MemorySegment count = arena.allocate(JAVA_LONG);
            long capacity = 0;
            MemorySegment out = MemorySegment.NULL;
            while (true) { // files come and go between calls: again with room for the new count
                check((int) FILES.invokeExact(rootText, out, capacity, count));
                long found = count.get(JAVA_LONG, 0);
                if (found <= capacity) {
                    return entries(out, found);
                }
                capacity = found + 16;
                out = arena.allocate(FILE_SIZE * capacity, 8);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrown(t);
        }
    }

    private static List<LocatorFiles.Entry> entries(MemorySegment out, long count) {
        List<LocatorFiles.Entry> entries = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            MemorySegment f = out.asSlice(i * FILE_SIZE, FILE_SIZE);
            entries.add(LocatorJni.entry(Integer.toUnsignedLong(f.get(JAVA_INT, FILE_PID)), f.getString(0),
                    f.get(JAVA_INT, FILE_DIRECTORY_LENGTH), owner(f.get(JAVA_INT, FILE_OWNER_UID)),
                    f.get(JAVA_INT, FILE_STATE), f.get(JAVA_BYTE, FILE_REGULAR) != 0,
                    f.getString(FILE_PROCESS_NAME)));
        }
        return Collections.unmodifiableList(entries);
    }

    private static long owner(int uid) {
        return uid == -1 ? -1 : Integer.toUnsignedLong(uid);
    }

    static LocatorFiles.Chain read(String path, int maxLocators) {
        for (long capacity = Math.min(16, maxLocators);; capacity = Math.min(2 * capacity, maxLocators)) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment blocks = arena.allocate(BLOCK_SIZE * capacity, 8);
                MemorySegment items = arena.allocate(INFO_SIZE * capacity * ITEMS_PER_BLOCK, 8);
                MemorySegment counts = arena.allocate(JAVA_LONG, 2);
                MemorySegment note = arena.allocate(NOTE_SIZE);
                check((int) READ.invokeExact(arena.allocateFrom(path), blocks, capacity, counts, items,
                        capacity * ITEMS_PER_BLOCK, counts.asSlice(8), note, (long) NOTE_SIZE));
                long read = counts.get(JAVA_LONG, 0);
                String text = note.getString(0);
                boolean longer = read == capacity && blocks.get(JAVA_LONG, (read - 1) * BLOCK_SIZE + 8) != 0
                        && text.isEmpty() && capacity < maxLocators;
                if (!longer) {
                    return chain(blocks, read, items, counts.get(JAVA_LONG, 8), text);
                }
            } catch (Throwable t) {
                throw Downcalls.rethrown(t);
            }
        }
    }

    private static LocatorFiles.Chain chain(MemorySegment blocks, long count, MemorySegment items, long itemCount,
                                            String note) {
        List<LocatorFiles.Locator> locators = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            MemorySegment b = blocks.asSlice(i * BLOCK_SIZE, BLOCK_SIZE);
            locators.add(new LocatorFiles.Locator(b.get(JAVA_LONG, 0), b.get(JAVA_LONG, 8), b.get(JAVA_INT, 16),
                    b.get(JAVA_INT, 20), b.get(JAVA_BYTE, 24) != 0, b.get(JAVA_BYTE, 25) != 0));
        }
        List<BufferInfo> buffers = new ArrayList<>((int) itemCount);
        for (long i = 0; i < itemCount; i++) {
            MemorySegment b = items.asSlice(i * INFO_SIZE, INFO_SIZE);
            buffers.add(new BufferInfo(b.get(JAVA_LONG, 0), Integer.toUnsignedLong(b.get(JAVA_INT, 8)),
                    Integer.toUnsignedLong(b.get(JAVA_INT, 12)), b.get(JAVA_BYTE, 16) != 0, b.get(JAVA_LONG, 24)));
        }
        return new LocatorFiles.Chain(Collections.unmodifiableList(locators), Collections.unmodifiableList(buffers),
                note);
    }

    static LocatorFiles.Removal removeIfStale(String path, boolean dryRun) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment removed = arena.allocate(JAVA_BYTE);
            MemorySegment why = arena.allocate(256);
            check((int) REMOVE_STALE.invokeExact(arena.allocateFrom(path), (byte) (dryRun ? 1 : 0), removed, why,
                    256L));
            boolean gone = removed.get(JAVA_BYTE, 0) != 0;
            return new LocatorFiles.Removal(gone, gone ? "" : why.getString(0));
        } catch (Throwable t) {
            throw Downcalls.rethrown(t);
        }
    }
}
