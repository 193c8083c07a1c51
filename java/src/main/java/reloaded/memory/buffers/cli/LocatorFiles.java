package reloaded.memory.buffers.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The locator files on this machine: {@code <root>/.reloaded/memory.buffers} and the per-user
 * fallbacks {@code <root>/.reloaded-<uid>/memory.buffers}, where root is the {@code --root} option,
 * else {@code $BUFFERS_SHARED_ROOT}, else /tmp (as the C core chooses). Linux only: liveness comes
 * from /proc.
 */
final class LocatorFiles {
    static final String PREFIX = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

    /** Whether the process that made a file still runs and still maps it. */
    enum State {
        /** The process runs and maps the file (or its maps are not readable). */
        LIVE,
        /** No process with that id runs. */
        STALE,
        /** A process with that id runs but does not map the file: the id was reused. */
        PID_REUSED;

        String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** One locator file. */
    record Entry(int pid, Path path, int ownerUid, State state) {
    }

    private final Path root;
    private final Path proc;

    LocatorFiles(Path root, Path proc) {
        this.root = root;
        this.proc = proc;
    }

    /** The machine's files, root chosen as the C core does unless given. */
    static LocatorFiles forRoot(String rootOption) throws CommandFailure {
        if (rootOption != null && !Files.isDirectory(Paths.get(rootOption))) {
            // an empty listing would read as "no process uses the library"
            throw new CommandFailure("--root " + rootOption + ": no such directory");
        }
        String root = rootOption;
        if (root == null || root.isEmpty()) {
            root = System.getenv("BUFFERS_SHARED_ROOT");
        }
        return new LocatorFiles(Paths.get(root == null || root.isEmpty() ? "/tmp" : root), Paths.get("/proc"));
    }

    Path root() {
        return root;
    }

    /** The directories that may hold locator files and exist. */
    List<Path> directories() throws IOException {
        List<Path> dirs = new ArrayList<>();
        addIfDirectory(dirs, root.resolve(".reloaded").resolve("memory.buffers"));
        if (Files.isDirectory(root)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(root, ".reloaded-*")) {
                for (Path p : s) {
                    addIfDirectory(dirs, p.resolve("memory.buffers"));
                }
            } catch (java.nio.file.AccessDeniedException ignored) {
                // an unreadable root only hides the per-user folders
            }
        }
        dirs.sort(Comparator.naturalOrder());
        return dirs;
    }

    private static void addIfDirectory(List<Path> dirs, Path dir) {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            dirs.add(dir);
        }
    }

    /** Every locator file, sorted by process id. */
    List<Entry> list() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Path dir : directories()) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path file : s) {
                    Integer pid = pidOf(file.getFileName().toString());
                    if (pid != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        entries.add(new Entry(pid, file, ownerUid(file), state(pid, file)));
                    }
                }
            } catch (java.nio.file.AccessDeniedException ignored) {
                // another user's private folder
            }
        }
        entries.sort(Comparator.comparingInt(Entry::pid).thenComparing(Entry::path));
        return entries;
    }

    /** The files of one process (normally one). */
    List<Entry> forPid(int pid) throws IOException {
        List<Entry> found = new ArrayList<>();
        for (Entry e : list()) {
            if (e.pid() == pid) {
                found.add(e);
            }
        }
        return found;
    }

    /** The process id in a locator file name, or null if the name is not one. */
    static Integer pidOf(String fileName) {
        if (!fileName.startsWith(PREFIX)) {
            return null;
        }
        String digits = fileName.substring(PREFIX.length());
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long pid = Long.parseLong(digits);
        return pid > Integer.MAX_VALUE ? null : (int) pid;
    }

    State state(int pid, Path file) {
        Path process = proc.resolve(Integer.toString(pid));
        if (!Files.isDirectory(process)) {
            return State.STALE;
        }
        try {
            String maps = Files.readString(process.resolve("maps"), StandardCharsets.ISO_8859_1);
            return maps.contains(file.getFileName().toString()) ? State.LIVE : State.PID_REUSED;
        } catch (IOException | RuntimeException unreadable) {
            return State.LIVE;
        }
    }

    /** The process's pointer width from its executable's ELF class, or 0 if unknown. */
    int pointerSize(int pid) {
        try (InputStream in = Files.newInputStream(proc.resolve(Integer.toString(pid)).resolve("exe"))) {
            byte[] ident = in.readNBytes(5);
            if (ident.length == 5 && ident[0] == 0x7F && ident[1] == 'E' && ident[2] == 'L' && ident[3] == 'F') {
                return ident[4] == 1 ? 4 : ident[4] == 2 ? 8 : 0;
            }
        } catch (IOException | RuntimeException unreadable) {
            // fall back to guessing from the header
        }
        return 0;
    }

    /** The first locator as stored in the file. */
    LocatorFormat.Locator readFirst(Entry entry) throws IOException {
        byte[] block;
        try (InputStream in = Files.newInputStream(entry.path())) {
            block = in.readNBytes(LocatorFormat.BLOCK_SIZE);
        }
        int width = entry.state() == State.STALE ? 0 : pointerSize(entry.pid());
        return width == 0 ? LocatorFormat.parseGuessingWidth(block) : LocatorFormat.parse(block, width);
    }

    /** The uid of the current process. */
    static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static int ownerUid(Path path) {
        try {
            return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
