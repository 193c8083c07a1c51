package reloaded.memory.buffers;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Helpers for loading the library's classes in fresh class loaders (each with its own copy of the
 * JNI library), from target/classes or from a jar made of it.
 */
final class Isolated {
    private Isolated() {
    }

    /** target/classes, as Surefire passes it (see pom.xml). */
    static Path classesDir() {
        String dir = System.getProperty("buffers.test.classes");
        if (dir == null) {
            throw new AssertionError("system property buffers.test.classes is not set; run the tests through Maven");
        }
        return Paths.get(dir);
    }

    /** A class loader that sees only the given class path entry, not the test's own classes. */
    static URLClassLoader loader(Path classPathEntry) throws IOException {
        return new URLClassLoader(new URL[] {classPathEntry.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    /** Calls a public static method of reloaded.memory.buffers.Buffers in the loader, unwrapping its exception. */
    static Object callBuffers(ClassLoader loader, String method, Class<?>[] types, Object... args) throws Throwable {
        Class<?> buffers = Class.forName("reloaded.memory.buffers.Buffers", true, loader);
        try {
            return buffers.getMethod(method, types).invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A BufferSearchSettings of the loader's own class. */
    static Object searchSettings(ClassLoader loader, long min, long max, int size) throws Exception {
        Class<?> settings = Class.forName("reloaded.memory.buffers.BufferSearchSettings", true, loader);
        return settings.getConstructor(long.class, long.class, int.class).newInstance(min, max, size);
    }

    /** Copies a directory tree. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.collect(Collectors.toList())) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** A jar holding every file under dir. */
    static Path jarOf(Path dir, Path jar) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            for (Path f : files) {
                j.putNextEntry(new JarEntry(dir.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
        return jar;
    }

    /** The JNI library built for the JVM running the tests (a 32-bit JVM loads linux-x86's). */
    static Path builtLibrary() {
        return classesDir().resolve("reloaded/memory/buffers/native/" + Platform.current() + "/libbuffers_jni.so");
    }

    /** True when the JVM running the tests is a 32-bit one. */
    static boolean is32BitJvm() {
        return "32".equals(System.getProperty("sun.arch.data.model"));
    }
}
