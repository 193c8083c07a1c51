package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, points 2 and 3, on every JDK the suite runs on: in a fresh JVM, whatever comes first
 * (the probe, a real call, or both from several threads at once), the JNI library is extracted and
 * mapped exactly once; and a probe that fails never throws and answers the same cause every time.
 * The JDK 24+ case of native access denied is in tests/java22 (NativeAccessDeniedTest).
 */
class ProbeOnceTest {
    @TempDir
    static Path dir;
    private static ChildJvm child;
    private static List<String> flags;

    @BeforeAll
    static void packTheLibrary() throws Exception {
        child = new ChildJvm(dir);
        // Extract into a directory of this test (/tmp is shared with every JVM on the machine), traced.
        Path extract = Files.createDirectory(dir.resolve("extract"));
        flags = List.of("--enable-native-access=ALL-UNNAMED", "-D" + NativeLoader.DEBUG_PROPERTY + "=true",
                "-D" + NativeLoader.TMPDIR_PROPERTY + "=" + extract);
    }

    @Test
    void probeFirstThenARealCallLoadsOnce() throws Exception {
        ChildJvm.Result r = child.onClassPath(ChildJvm.PROBE, flags, "probe", "call", "probe", "maps");
        assertEquals(List.of("probe available=true cause=null", "call ok", "probe available=true cause=null",
                "mapped copies: 1"), r.stdout().lines().toList(), r.toString());
        assertExtractedOnce(r);
    }

    @Test
    void aRealCallFirstThenTheProbeLoadsOnce() throws Exception {
        ChildJvm.Result r = child.onClassPath(ChildJvm.PROBE, flags, "call", "probe", "maps");
        assertEquals(List.of("call ok", "probe available=true cause=null", "mapped copies: 1"),
                r.stdout().lines().toList(), r.toString());
        assertExtractedOnce(r);
    }

    @Test
    void probesAndCallsFromSeveralThreadsAtOnceLoadOnce() throws Exception {
        ChildJvm.Result r = child.onClassPath(ChildJvm.PROBE, flags, "race", "maps");
        assertEquals(List.of("race ok", "mapped copies: 1"), r.stdout().lines().toList(), r.toString());
        assertExtractedOnce(r);
    }

    @Test
    void aFailedProbeNeverThrowsAndAnswersTheSameCause() throws Exception {
        List<String> missing = new java.util.ArrayList<>(flags);
        missing.add("-D" + NativeLoader.PLATFORM_PROPERTY + "=plan9-mips");
        ChildJvm.Result r = child.onClassPath(ChildJvm.PROBE, missing, "probe", "probe", "cached", "call", "maps");
        List<String> lines = r.stdout().lines().toList();
        assertEquals(5, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith("probe available=false cause=java.lang.UnsatisfiedLinkError: "
                + "libbuffers: this jar has no native library for platform 'plan9-mips'"), r.toString());
        assertEquals(lines.get(0), lines.get(1), "the second probe answers as the first\n" + r);
        assertEquals("cached=true", lines.get(2), r.toString());
        assertTrue(lines.get(3).startsWith("call threw "), r.toString());
        assertTrue(lines.get(3).contains("platform 'plan9-mips'"), "a later call still says why\n" + r);
        assertEquals("mapped copies: 0", lines.get(4), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** The loader's trace says "extracted" once per copy written to disk. */
    static void assertExtractedOnce(ChildJvm.Result r) {
        assertEquals(0, r.exitCode(), r.toString());
        long extracted = r.stderr().lines().filter(l -> l.contains("[libbuffers loader] extracted")).count();
        assertEquals(1, extracted, "the library is extracted exactly once\n" + r);
    }
}
