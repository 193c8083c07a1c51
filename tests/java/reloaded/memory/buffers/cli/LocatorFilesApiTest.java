package reloaded.memory.buffers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reloaded.memory.buffers.BufferAllocationException;
import reloaded.memory.buffers.BufferInfo;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.LocatorFiles;

/**
 * reloaded.memory.buffers.LocatorFiles (beside the CLI tests, whose fixture writes the files): the C core's view of every process's locator files, through JNI (JDK 17) or FFM
 * (JDK 22+), with hostile files: planted, truncated, a FIFO, a symlink, another user's.
 */
class LocatorFilesApiTest {
    static final String PREFIX = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

    @TempDir
    Path root;

    Path write(String folder, long pid, byte[] bytes) throws Exception {
        return LocatorFixture.write(root, folder, (int) pid, bytes);
    }

    static byte[] block(long self, long next, long[]... items) {
        return LocatorFixture.block(8, self, next, items);
    }

    @Test
    void thisProcessIsLiveAndItsChainMatchesListBuffers() {
        long locator = Buffers.locatorAddress();
        long pid = ProcessHandle.current().pid();
        LocatorFiles.Entry mine = LocatorFiles.list(null).stream().filter(e -> e.pid() == pid).findFirst()
                .orElseThrow(() -> new AssertionError("own file missing"));
        assertEquals(LocatorFiles.State.LIVE, mine.state());
        assertEquals(Buffers.locatorDirectory(), mine.directory());
        assertTrue(mine.regular());
        LocatorFiles.Chain chain = LocatorFiles.read(mine.path(), LocatorFiles.MAX_LOCATORS);
        assertEquals(locator, chain.locators().get(0).address());
        assertTrue(chain.locators().get(0).fromFile());
        assertEquals("", chain.note());
        assertEquals(Buffers.listBuffers().size(), chain.buffers().size());
    }

    @Test
    void theSharedRootIsWhereThisProcessKeepsItsFileAndWhatTheCliLooksUnder() {
        Buffers.locatorAddress();
        String sharedRoot = LocatorFiles.sharedRoot();
        assertTrue(Buffers.locatorDirectory().startsWith(sharedRoot + "/.reloaded"),
                Buffers.locatorDirectory() + " is not under " + sharedRoot);
        CliTest.Result r = CliTest.cli("list", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals(sharedRoot, r.json().get("root"));
    }

    @Test
    void staleFilesAreReadAndRemovedOnlyOutsideADryRun() throws Exception {
        long dead = LocatorFixture.deadPid();
        Path stale = write(".reloaded", dead, block(0x7f0000001000L, 0, new long[] {0x10000000L, 1, 4096, 96}));
        List<LocatorFiles.Entry> files = LocatorFiles.list(root.toString());
        assertEquals(1, files.size());
        assertEquals(LocatorFiles.State.STALE, files.get(0).state());
        assertEquals("?", files.get(0).processName());
        assertEquals(stale.getParent().toString(), files.get(0).directory());
        LocatorFiles.Chain chain = LocatorFiles.read(stale.toString(), 8);
        assertEquals(1, chain.buffers().size());
        BufferInfo item = chain.buffers().get(0);
        assertEquals(0x10000000L, item.baseAddress());
        assertEquals(4096, item.size());
        assertEquals(96, item.position());
        assertTrue(item.taken());

        assertTrue(LocatorFiles.removeIfStale(stale.toString(), true).removed());
        assertTrue(Files.exists(stale), "a dry run removes nothing");
        assertTrue(LocatorFiles.removeIfStale(stale.toString(), false).removed());
        assertFalse(Files.exists(stale));
    }

    /** A root that is not ASCII: the listed path is the file's own, so read and remove find it. */
    @Test
    void aRootOutsideAsciiIsListedAsItIs() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("UTF-8".equals(System.getProperty("sun.jnu.encoding")),
                "this JVM cannot name a non-ASCII path (sun.jnu.encoding " + System.getProperty("sun.jnu.encoding")
                        + "; the locale is not UTF-8)");
        Path wide = Files.createDirectory(root.resolve("wurzel-\u00fc-\u6839"));
        long dead = LocatorFixture.deadPid();
        Path stale = LocatorFixture.write(wide, ".reloaded", (int) dead, block(0x7f0000001000L, 0));
        List<LocatorFiles.Entry> files = LocatorFiles.list(wide.toString());
        assertEquals(1, files.size(), files.toString());
        assertEquals(stale.toString(), files.get(0).path());
        assertEquals(stale.getParent().toString(), files.get(0).directory());
        assertEquals(0, LocatorFiles.read(files.get(0).path(), 1).buffers().size());
        assertTrue(LocatorFiles.removeIfStale(files.get(0).path(), false).removed());
        assertFalse(Files.exists(stale));
    }

    @Test
    void hostileFilesGetAClearExceptionOrState() throws Exception {
        long dead = LocatorFixture.deadPid();
        byte[] garbage = new byte[4096];
        java.util.Arrays.fill(garbage, (byte) 0x5a);
        Path planted = write(".reloaded", dead, garbage);
        Path truncated = write(".reloaded", dead + 1, new byte[100]);
        Path fifo = planted.resolveSibling(PREFIX + (dead + 2));
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Path link = Files.createSymbolicLink(planted.resolveSibling(PREFIX + (dead + 3)), Path.of("/etc/passwd"));
        Path other = write(".reloaded-4242", dead + 4, block(0x1000, 0));
        Files.setAttribute(other, "unix:uid", 4242); // the suite runs as root, as CI does

        List<LocatorFiles.Entry> files = LocatorFiles.list(root.toString());
        assertEquals(5, files.size(), files.toString());
        assertFalse(files.get(2).regular());
        assertFalse(files.get(3).regular());
        assertEquals(4242, files.get(4).ownerUid());

        assertTrue(message(planted).contains("not a locator"), message(planted));
        assertTrue(message(truncated).contains("truncated: 100 bytes"), message(truncated));
        assertTrue(message(fifo).contains("not a regular file"), message(fifo));
        assertTrue(message(link).contains("BUFFERS_ERROR_LOCATOR"), message(link));
        LocatorFiles.Removal kept = LocatorFiles.removeIfStale(other.toString(), false);
        assertFalse(kept.removed());
        assertTrue(kept.why().contains("another user"), kept.why());
        assertFalse(LocatorFiles.removeIfStale(link.toString(), false).removed());
        assertTrue(Files.isSymbolicLink(link));
    }

    private static String message(Path path) {
        return assertThrows(BufferAllocationException.class, () -> LocatorFiles.read(path.toString(), 1)).getMessage();
    }

    @Test
    void badArgumentsThrowNamingThem() {
        assertThrows(NullPointerException.class, () -> LocatorFiles.read(null, 1));
        assertThrows(IllegalArgumentException.class, () -> LocatorFiles.read("/tmp/" + PREFIX + "1", 0));
        assertThrows(IllegalArgumentException.class, () -> LocatorFiles.read("relative", 1));
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> LocatorFiles.removeIfStale(root.resolve("passwd").toString(), false));
        assertTrue(name.getMessage().contains("not named like a locator file"), name.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> LocatorFiles.list(root.resolve("missing").toString()));
        assertTrue(missing.getMessage().contains("not a directory"), missing.getMessage());
    }
}
