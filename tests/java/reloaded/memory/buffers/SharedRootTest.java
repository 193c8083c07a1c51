package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reloaded.memory.buffers.nativeaccess.ProbeMain;

/**
 * The system property reloaded.buffers.sharedRoot moves the locator files as BUFFERS_SHARED_ROOT
 * does (a read-only /tmp needs no environment variable), and a path the C library refuses makes the
 * library unavailable with the reason, never a crash; LocatorFiles.sharedRoot() is the C library's
 * own answer (buffers_shared_root, through JNI or FFM as the JVM takes). Each case runs in a fresh
 * JVM: the property is read once, when the library loads.
 */
class SharedRootTest {
    @TempDir
    static Path dir;
    private static ChildJvm child;

    @BeforeAll
    static void packTheLibrary() throws Exception {
        child = new ChildJvm(dir);
    }

    private static List<String> flags(String root) {
        List<String> flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        flags.add("-D" + NativeBuffers.SHARED_ROOT_PROPERTY + "=" + root);
        return flags;
    }

    @Test
    void thePropertyMovesTheLocatorFiles() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        ChildJvm.Result r = child.onClassPath(ChildJvm.PROBE, flags(root.toString()), "directory");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("locator directory " + root.resolve(".reloaded").resolve("memory.buffers")),
                r.stdout().lines().toList(), r.toString());
    }

    /** The root the library reports, from a fresh JVM with env's variables (null: removed) and flags. */
    private static String reportedRoot(Map<String, String> env, List<String> flags) throws Exception {
        Path classes = Paths.get(ProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ChildJvm.Result r = child.onClassPathWith(env, flags, classes, ChildJvm.PROBE, "root");
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout().strip();
    }

    @Test
    void theLibraryReportsTheRootByItsOwnRuleThePropertyFirst() throws Exception {
        Path byProperty = Files.createDirectories(dir.resolve("by-property"));
        Path byEnvironment = Files.createDirectories(dir.resolve("by-environment"));
        Map<String, String> env = new HashMap<>();
        env.put("BUFFERS_SHARED_ROOT", byEnvironment.toString());
        assertEquals("shared root " + byProperty, reportedRoot(env, flags(byProperty.toString())),
                "the property is handed to the C library, which reports it");
        List<String> plain = List.of("--enable-native-access=ALL-UNNAMED");
        assertEquals("shared root " + byEnvironment, reportedRoot(env, plain));
        env.put("BUFFERS_SHARED_ROOT", null);
        assertEquals("shared root /tmp", reportedRoot(env, plain));
    }

    @Test
    void aRelativeRootMakesTheLibraryUnavailableWithTheReason() throws Exception {
        ChildJvm.Result r = child.onClassPath(ChildJvm.PROBE, flags("relative/root"), "probe");
        String line = r.stdout().lines().findFirst().orElse("");
        assertTrue(line.startsWith("probe available=false"), r.toString());
        assertTrue(line.contains("reloaded.buffers.sharedRoot=relative/root") && line.contains("absolute path"),
                r.toString());
    }
}
