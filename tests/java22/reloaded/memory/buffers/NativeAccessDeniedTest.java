package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JEP 472 (JDK 24+; this suite runs on the newest JDK): without the right flag the user is warned,
 * and with native access denied the error names the flag to add. Also shows that the warning check
 * of NativeAccessTest would catch a missing flag.
 */
class NativeAccessDeniedTest {
    @TempDir
    static Path dir;
    private static ChildJvm child;

    @BeforeAll
    static void requireJep472() throws Exception {
        assertTrue(Runtime.version().feature() >= 24, "the newest-JDK stage must run a JDK with JEP 472 (24+)");
        child = new ChildJvm(dir);
    }

    @Test
    void classPathWithoutTheFlagWarns() throws Exception {
        ChildJvm.Result r = child.onClassPath();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.warnsAboutRestrictedMethods(), r.toString());
    }

    @Test
    void onTheModulePathAllUnnamedIsNotEnough() throws Exception {
        ChildJvm.Result r = child.onModulePath("--enable-native-access=ALL-UNNAMED");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.warnsAboutRestrictedMethods(), r.toString());
    }

    @Test
    void deniedOnTheClassPathNamesTheClassPathFlag() throws Exception {
        ChildJvm.Result r = child.onClassPath("--illegal-native-access=deny");
        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("Start java with --enable-native-access=ALL-UNNAMED"), r.toString());
    }

    @Test
    void deniedOnTheModulePathNamesTheModule() throws Exception {
        ChildJvm.Result r = child.onModulePath("--illegal-native-access=deny");
        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("Start java with --enable-native-access=" + ChildJvm.MODULE), r.toString());
    }

    @Test
    void theProbeUnderDenyAnswersFalseWithTheRefusalAndNeverThrows() throws Exception {
        ChildJvm.Result r = child.onClassPath(ChildJvm.PROBE, List.of("--illegal-native-access=deny"),
                "probe", "probe", "cached", "call", "maps");
        List<String> lines = r.stdout().lines().toList();
        assertEquals(5, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith("probe available=false cause=java.lang.UnsatisfiedLinkError: "
                + "libbuffers: the JVM denied native access"), r.toString());
        assertTrue(lines.get(0).contains("Start java with --enable-native-access=ALL-UNNAMED"), r.toString());
        assertTrue(lines.get(0).contains(" <- java.lang.IllegalCallerException: "), "the refusal is the cause\n" + r);
        assertEquals(lines.get(0), lines.get(1), "the second probe answers as the first\n" + r);
        assertEquals("cached=true", lines.get(2), r.toString());
        assertTrue(lines.get(3).startsWith("call threw "), r.toString());
        assertEquals("mapped copies: 0", lines.get(4), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
    }
}
