package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command lines docs/java.md gives work on this JDK and print no JEP 472 "restricted method"
 * warning (JDK 24+ prints one for every module without native access). The JDK 24+ cases that
 * must warn or fail are in tests/java22 (NativeAccessDeniedTest).
 */
class NativeAccessTest {
    @TempDir
    static Path dir;
    private static ChildJvm child;

    @BeforeAll
    static void packTheLibrary() throws Exception {
        child = new ChildJvm(dir);
    }

    @Test
    void classPathWithTheDocumentedFlag() throws Exception {
        ChildJvm.Result r = child.onClassPath("--enable-native-access=ALL-UNNAMED");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("ok", r.stdout().trim(), r.toString());
        assertFalse(r.warnsAboutRestrictedMethods(), r.toString());
    }

    @Test
    void modulePathWithTheDocumentedFlag() throws Exception {
        ChildJvm.Result r = child.onModulePath("--enable-native-access=" + ChildJvm.MODULE);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("ok", r.stdout().trim(), r.toString());
        assertFalse(r.warnsAboutRestrictedMethods(), r.toString());
    }
}
