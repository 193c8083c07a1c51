package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real noexec tmpfs as the extraction directory: the load fails and the message says noexec and
 * names the property. Mounting needs root; without it the test fails and says so (the simulated
 * case is NativeLoaderTest.noexecDirectoryIsNamed).
 */
class NoexecTest {
    @TempDir
    Path tmp;

    @Test
    void noexecMountIsDiagnosed() throws Throwable {
        Path mount = Files.createDirectory(tmp.resolve("noexec"));
        int rc = run("mount", "-t", "tmpfs", "-o", "noexec,size=4m", "tmpfs", mount.toString());
        assertEquals(0, rc, "this test mounts a noexec tmpfs and needs root (mount exited " + rc + ")");
        try {
            ClassLoadersTest.withProperty(NativeLoader.TMPDIR_PROPERTY, mount.toString(), () -> {
                try (URLClassLoader loader = Isolated.loader(Isolated.classesDir())) {
                    UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                            () -> Isolated.callBuffers(loader, "maxAddress", new Class<?>[0]));
                    assertTrue(e.getMessage().contains("noexec") && e.getMessage().contains(NativeLoader.TMPDIR_PROPERTY),
                            e.getMessage());
                }
            });
            try (var s = Files.list(mount)) {
                assertEquals(0, s.count(), "the copy that could not load was deleted");
            }
        } finally {
            // The failed dlopen may leave the file mapped in this JVM, so the mount can be busy:
            // detach it lazily then.
            if (run("umount", mount.toString()) != 0) {
                assertEquals(0, run("umount", "-l", mount.toString()), "umount -l " + mount);
            }
        }
    }

    /** Runs the command; what it prints goes to this JVM's stderr (Surefire's report, not the console). */
    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(30, TimeUnit.SECONDS); // mount and umount print a line at most
        if (!done) {
            p.destroyForcibly();
        }
        System.err.write(p.getInputStream().readAllBytes());
        System.err.flush();
        return done ? p.exitValue() : -1;
    }
}
