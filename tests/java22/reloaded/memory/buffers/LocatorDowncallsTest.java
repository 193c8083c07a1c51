package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK 22+ route of LocatorFiles: FFM downcalls reading the C structs at fixed offsets. Each
 * answer must equal the JNI route's (LocatorJni) for the same files, and failures the same exception.
 */
class LocatorDowncallsTest {
    @TempDir
    Path root;

    @Test
    void theFfmRouteIsTakenAndAgreesWithJni() throws Exception {
        assertTrue(LocatorDowncalls.SUPPORTED, "64-bit JDK 22+ with the exports must take the downcall route");
        Buffers.locatorAddress();
        String own = Path.of(Buffers.locatorDirectory()).getParent().getParent().toString();
        assertEquals(own, LocatorDowncalls.sharedRoot(), "the root this process's file is under");
        assertEquals(LocatorJni.sharedRoot(), LocatorDowncalls.sharedRoot());
        assertEquals(LocatorJni.list(own), LocatorDowncalls.list(own));
        LocatorFiles.Entry mine = LocatorDowncalls.list(own).stream()
                .filter(e -> e.pid() == ProcessHandle.current().pid()).findFirst().orElseThrow();
        assertEquals(LocatorJni.read(mine.path(), 1000), LocatorDowncalls.read(mine.path(), 1000));
        assertEquals(LocatorJni.read(mine.path(), 1), LocatorDowncalls.read(mine.path(), 1));
    }

    @Test
    void failuresThrowWhatJniThrows() throws Exception {
        Path dir = Files.createDirectories(root.resolve(".reloaded/memory.buffers"));
        Path truncated = Files.write(dir.resolve("Reloaded.Memory.Buffers.MemoryBuffer, PID 999999999"), new byte[10]);
        String jni = assertThrows(BufferAllocationException.class, () -> LocatorJni.read(truncated.toString(), 1))
                .getMessage();
        String ffm = assertThrows(BufferAllocationException.class, () -> LocatorDowncalls.read(truncated.toString(), 1))
                .getMessage();
        assertEquals(jni, ffm);
        assertTrue(ffm.contains("truncated"), ffm);
        assertThrows(IllegalArgumentException.class, () -> LocatorDowncalls.list(root.resolve("missing").toString()));
        assertEquals(LocatorJni.removeIfStale(truncated.toString(), true),
                LocatorDowncalls.removeIfStale(truncated.toString(), true));
        assertThrows(IllegalArgumentException.class, () -> LocatorDowncalls.removeIfStale("relative", true));
    }
}
