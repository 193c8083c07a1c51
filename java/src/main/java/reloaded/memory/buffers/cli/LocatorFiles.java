package reloaded.memory.buffers.cli;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import reloaded.memory.buffers.LocatorFiles.Entry;

/**
 * The locator files the commands look at: the root they are under (the {@code --root} option, else
 * the one the library uses) and the core's listing of them ({@link reloaded.memory.buffers.LocatorFiles}).
 * The format itself is read only by the C core.
 */
final class LocatorFiles {
    static final String PREFIX = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

    private final String root;

    private LocatorFiles(String root) {
        this.root = root;
    }

    /** The files under --root, else under the root the library uses. */
    static LocatorFiles forRoot(String rootOption) throws CommandFailure {
        if (rootOption != null && !Files.isDirectory(Paths.get(rootOption))) {
            // an empty listing would read as "no process uses the library"
            throw new CommandFailure("--root " + rootOption + ": no such directory");
        }
        // else the library's own rule (buffers_shared_root): the property, the environment, /tmp
        return new LocatorFiles(rootOption == null || rootOption.isEmpty()
                ? reloaded.memory.buffers.LocatorFiles.sharedRoot() : rootOption);
    }

    String root() {
        return root;
    }

    /** Every locator file, sorted by process id. */
    List<Entry> list() throws CommandFailure {
        try {
            return reloaded.memory.buffers.LocatorFiles.list(root);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            throw new CommandFailure(e.getMessage());
        }
    }

    /** The files of one process (normally one). */
    List<Entry> forPid(long pid) throws CommandFailure {
        List<Entry> found = new ArrayList<>();
        for (Entry e : list()) {
            if (e.pid() == pid) {
                found.add(e);
            }
        }
        return found;
    }

    /** The uid of the current process, -1 when unknown. */
    static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Paths.get("/proc/self"), "unix:uid")).longValue();
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }
}
