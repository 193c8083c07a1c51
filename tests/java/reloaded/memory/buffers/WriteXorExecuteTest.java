package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Buffers.useWriteXorExecute() in a fresh JVM (the mode is chosen once per process): Linux builds make them. */
@EnabledOnOs(OS.LINUX)
class WriteXorExecuteTest {
    private static final String MAIN = "reloaded.memory.buffers.nativeaccess.WriteXorExecuteMain";
    @TempDir
    static Path dir;
    private static ChildJvm child;
    private static final List<String> FLAGS = List.of("--enable-native-access=ALL-UNNAMED");

    @BeforeAll
    static void packTheLibrary() throws Exception {
        child = new ChildJvm(dir);
    }

    @Test
    void reservationsAreWrittenThroughAnotherViewOnceAskedFor() throws Exception {
        ChildJvm.Result r = child.onClassPath(MAIN, FLAGS, "call");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("distinct=true"), r.toString());
        assertTrue(r.stdout().contains("bytes=ok"), r.toString());
        assertTrue(r.stdout().contains("reason=write-xor-execute buffers"), r.toString());
    }

    @Test
    void theOrdinaryModeWritesWhereTheCodeRuns() throws Exception {
        ChildJvm.Result r = child.onClassPath(MAIN, FLAGS);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("distinct=false"), r.toString());
        assertTrue(r.stdout().contains("bytes=ok"), r.toString());
    }

    @Test
    void askingAfterTheFirstUseThrowsAndChangesNothing() throws Exception {
        ChildJvm.Result r = child.onClassPath(MAIN, FLAGS, "late");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("late: ") && r.stdout().contains("before the first use"), r.toString());
        assertTrue(r.stdout().contains("distinct=false"), r.toString());
    }
}
