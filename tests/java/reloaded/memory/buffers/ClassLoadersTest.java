package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real loads in fresh class loaders: two copies of the library in one JVM share one locator, and
 * the loader's properties work against the real jar layout.
 */
class ClassLoadersTest {
    @TempDir
    Path tmp;

    @Test
    void twoClassLoadersShareOneLocator() throws Throwable {
        // Extract into a directory of this test: /tmp is shared with every other JVM on the machine.
        Path extractDir = Files.createDirectory(tmp.resolve("extract-shared"));
        withProperty(NativeLoader.TMPDIR_PROPERTY, extractDir.toString(), this::shareOneLocator);
        try (Stream<Path> left = Files.list(extractDir)) {
            assertEquals(0, left.count(), "no extracted copy is left behind");
        }
    }

    private void shareOneLocator() throws Throwable {
        long mine = Buffers.locatorAddress();
        Path jar = Isolated.jarOf(Isolated.classesDir(), tmp.resolve("buffers.jar"));
        try (URLClassLoader fromDir = Isolated.loader(Isolated.classesDir());
             URLClassLoader fromJar = Isolated.loader(jar)) {
            long a = (Long) Isolated.callBuffers(fromDir, "locatorAddress", new Class<?>[0]);
            long b = (Long) Isolated.callBuffers(fromJar, "locatorAddress", new Class<?>[0]);
            assertEquals(mine, a, "copy loaded from target/classes");
            assertEquals(mine, b, "copy loaded from a jar");

            // bytes placed through one copy are found and read through another
            byte[] data = "written by another class loader".getBytes(StandardCharsets.US_ASCII);
            Object settings = Isolated.searchSettings(fromJar, 0, 0x7FFFFFFFL, data.length);
            Class<?> settingsClass = settings.getClass();
            long at = (Long) Isolated.callBuffers(fromJar, "write", new Class<?>[] {settingsClass, byte[].class},
                    settings, data);
            assertTrue(Buffers.listBuffers().stream()
                    .anyMatch(i -> at >= i.baseAddress() && at + data.length <= i.baseAddress() + i.size()),
                    "this copy's list holds the other copy's buffer");
            byte[] back = new byte[data.length];
            Buffers.read(at, back);
            assertArrayEquals(data, back);
        }
    }

    @Test
    void explicitPathPropertyLoadsThatFile() throws Throwable {
        Path copy = Files.copy(Isolated.builtLibrary(), tmp.resolve("libexplicit.so"));
        withProperty(NativeLoader.PATH_PROPERTY, copy.toString(), () -> {
            try (URLClassLoader loader = Isolated.loader(Isolated.classesDir())) {
                assertEquals(Buffers.locatorAddress(), Isolated.callBuffers(loader, "locatorAddress", new Class<?>[0]));
            }
            assertTrue(Files.exists(copy), "an explicit file is the user's: never deleted");
        });
        Path missing = tmp.resolve("absent.so");
        withProperty(NativeLoader.PATH_PROPERTY, missing.toString(), () -> {
            try (URLClassLoader loader = Isolated.loader(Isolated.classesDir())) {
                UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                        () -> Isolated.callBuffers(loader, "maxAddress", new Class<?>[0]));
                assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
            }
        });
    }

    @Test
    void missingPlatformInTheRealJar() throws Throwable {
        withProperty(NativeLoader.PLATFORM_PROPERTY, "plan9-mips", () -> {
            try (URLClassLoader loader = Isolated.loader(Isolated.classesDir())) {
                UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                        () -> Isolated.callBuffers(loader, "maxAddress", new Class<?>[0]));
                assertTrue(e.getMessage().contains("'plan9-mips'") && e.getMessage().contains("linux-x86_64"),
                        e.getMessage());
                // the failure is remembered: the next call says the same, not something vaguer
                Throwable again = assertThrows(Throwable.class,
                        () -> Isolated.callBuffers(loader, "maxAddress", new Class<?>[0]));
                assertTrue(again instanceof NoClassDefFoundError || again instanceof UnsatisfiedLinkError, again.toString());
            }
        });
    }

    @Test
    void damagedLibraryInTheJarIsRefused() throws Throwable {
        Path classes = tmp.resolve("classes");
        Isolated.copyTree(Isolated.classesDir(), classes);
        Path library = classes.resolve(Isolated.classesDir().relativize(Isolated.builtLibrary()));
        byte[] bytes = Files.readAllBytes(library);
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(library, bytes);
        Path extractDir = Files.createDirectory(tmp.resolve("extract"));
        withProperty(NativeLoader.TMPDIR_PROPERTY, extractDir.toString(), () -> {
            try (URLClassLoader loader = Isolated.loader(classes)) {
                UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class,
                        () -> Isolated.callBuffers(loader, "maxAddress", new Class<?>[0]));
                assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
            }
            try (Stream<Path> s = Files.list(extractDir)) {
                assertEquals(0, s.count(), "the damaged copy was deleted");
            }
        });
    }

    @Test
    void tmpdirPropertyIsUsedAndLeftEmpty() throws Throwable {
        Path extractDir = Files.createDirectory(tmp.resolve("extract"));
        withProperty(NativeLoader.TMPDIR_PROPERTY, extractDir.toString(), () -> {
            withProperty(NativeLoader.DEBUG_PROPERTY, "true", () -> {
                try (URLClassLoader loader = Isolated.loader(Isolated.classesDir())) {
                    assertEquals(Buffers.maxAddress(), Isolated.callBuffers(loader, "maxAddress", new Class<?>[0]));
                }
            });
            try (Stream<Path> s = Files.list(extractDir)) {
                assertEquals(0, s.count(), "deleted right after loading");
            }
        });
    }

    interface ThrowingRunnable {
        void run() throws Throwable;
    }

    static void withProperty(String key, String value, ThrowingRunnable body) throws Throwable {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }
}
