package reloaded.memory.buffers;

import java.util.List;
import java.util.Objects;

/**
 * Every process's locator files on this machine, as the C core sees them ({@code buffers_locator_files},
 * {@code buffers_locator_file_read}, {@code buffers_locator_file_remove_stale}): for tools such as the
 * command line's {@code list}, {@code inspect} and {@code cleanup}. Nothing here maps a file, takes a
 * buffer or writes into another process; a planted, truncated or foreign file gives an exception or a
 * state, never a crash. Listing, reading and removing work on Linux only: elsewhere they throw
 * {@link UnsupportedOperationException}; {@link #sharedRoot()} answers everywhere.
 */
public final class LocatorFiles {
    /** The most locators {@link #read} follows in one chain (BUFFERS_LOCATOR_CHAIN_MAX; a longer one is corrupt). */
    public static final int MAX_LOCATORS = 4096;

    private LocatorFiles() {
    }

    /** Whether the process a locator file names still uses it. */
    public enum State {
        /** Its process runs and maps the file (or its memory map cannot be read). */
        LIVE,
        /** No process has its id and none holds it alive: {@link #removeIfStale} removes it (if yours). */
        STALE,
        /** A process with its id runs but does not map the file: the id was reused. */
        PID_REUSED,
        /** No process with its id here, yet one elsewhere (another PID namespace) holds it alive. */
        FOREIGN;

        /**
         * The lower-case name with dashes ("pid-reused"), as the command line prints it.
         *
         * @return the label
         */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One locator file.
     *
     * @param pid         the process id its name gives
     * @param path        its full path
     * @param directory   the directory it is in
     * @param ownerUid    the owning user id, -1 when unknown
     * @param state       whether its process still uses it
     * @param regular     false for a symlink, FIFO or device under a locator's name
     * @param processName the command name of the process with that id now, "?" when unknown
     */
    public record Entry(long pid, String path, String directory, long ownerUid, State state, boolean regular,
                        String processName) {
    }

    /**
     * One locator of a chain as read.
     *
     * @param address     where its process maps it (unsigned)
     * @param nextAddress the next locator there, 0 at the end of the chain
     * @param itemCount   the buffers it registers
     * @param pointerSize 8 or 4: the width it was read in
     * @param locked      whether its header lock was held
     * @param fromFile    read from the file; else from the process's memory
     */
    public record Locator(long address, long nextAddress, int itemCount, int pointerSize, boolean locked,
                          boolean fromFile) {
    }

    /**
     * A chain as read: its locators in order, their buffers, and why the walk stopped early.
     *
     * @param locators the locators read
     * @param buffers  their buffers, in locator order
     * @param note     "" when the walk ended at the chain's end or at the limit asked for, else why it stopped
     */
    public record Chain(List<Locator> locators, List<BufferInfo> buffers, String note) {
    }

    /**
     * What {@link #removeIfStale} did.
     *
     * @param removed true when the file went (with a dry run: would go)
     * @param why     why it was kept, "" when removed
     */
    public record Removal(boolean removed, String why) {
    }

    /**
     * The folder this process's copy of the library keeps its locator files under, or will once it
     * makes its locator ({@code buffers_shared_root}): the system property
     * {@code reloaded.buffers.sharedRoot} (handed to the library when it loads), else the environment
     * variable {@code BUFFERS_SHARED_ROOT}, else {@code /tmp}. The files are in
     * {@code <root>/.reloaded/memory.buffers} or {@code <root>/.reloaded-<uid>/memory.buffers}.
     *
     * @return the folder; "" on Windows, whose locators are named sections, not files
     */
    public static String sharedRoot() {
        return LocatorRoute.sharedRoot();
    }

    /**
     * The locator files under root's shared directory and per-user fallbacks, sorted by pid then path.
     *
     * @param root the folder ({@code <root>/.reloaded/memory.buffers} ...); null: {@link #sharedRoot()}
     * @return an unmodifiable list
     * @throws IllegalArgumentException if root is relative or not a directory
     * @throws UnsupportedOperationException where locators are not files
     */
    public static List<Entry> list(String root) {
        return LocatorRoute.list(root);
    }

    /**
     * Reads the chain of a locator file without taking anything: the first locator from the file,
     * the next ones (while its process is live) from the process's memory.
     *
     * @param path        the file
     * @param maxLocators 1 (the file alone) to {@link #MAX_LOCATORS}
     * @return the chain
     * @throws IllegalArgumentException if path is not an absolute path named like a locator file, or maxLocators is out of range
     * @throws BufferAllocationException if the file cannot be read or holds no locator (the message says which)
     */
    public static Chain read(String path, int maxLocators) {
        Objects.requireNonNull(path, "path");
        if (maxLocators < 1 || maxLocators > MAX_LOCATORS) {
            throw new IllegalArgumentException("maxLocators must be 1 to " + MAX_LOCATORS + ", was " + maxLocators);
        }
        return LocatorRoute.read(path, maxLocators);
    }

    /**
     * Removes the file if it is stale by the rules the library uses for its own files: yours, not
     * writable by others, one link, no process with its id, nobody holding it alive.
     *
     * @param path   the file
     * @param dryRun only say whether it would go
     * @return what happened
     * @throws IllegalArgumentException if path is not an absolute path named like a locator file
     * @throws BufferAllocationException if a stale file could not be removed
     */
    public static Removal removeIfStale(String path, boolean dryRun) {
        Objects.requireNonNull(path, "path");
        return LocatorRoute.removeIfStale(path, dryRun);
    }
}
