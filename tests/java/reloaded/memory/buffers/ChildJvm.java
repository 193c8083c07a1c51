package reloaded.memory.buffers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Runs a main class of the package nativeaccess (ChildMain unless named) in a fresh JVM (this test
 * JVM's java) with the library as a jar on the class path or the module path, exactly as
 * docs/java.md tells users to.
 */
final class ChildJvm {
    static final String MODULE = "reloaded.memory.buffers";
    private static final String PACKAGE = "reloaded.memory.buffers.nativeaccess";
    private static final String CHILD = PACKAGE + ".ChildMain";
    /** Steps through the probe and a real call (nativeaccess.ProbeMain). */
    static final String PROBE = PACKAGE + ".ProbeMain";

    /** Exit code and everything the child printed. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean warnsAboutRestrictedMethods() {
            return stderr.toLowerCase(java.util.Locale.ROOT).contains("restricted method");
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private final Path jar;
    private final Path childClasses;

    /** Packs target/classes as the library jar (a module named MODULE) and copies the child classes aside. */
    ChildJvm(Path dir) throws IOException {
        this.jar = dir.resolve("reloaded-memory-buffers.jar");
        this.childClasses = dir.resolve("child");
        packLibrary(Paths.get(System.getProperty("buffers.test.classes")), jar);
        String folder = PACKAGE.replace('.', '/');
        Path from = Paths.get(ChildJvm.class.getProtectionDomain().getCodeSource().getLocation().getPath(), folder);
        Isolated.copyTree(from, childClasses.resolve(folder));
    }

    /** java FLAGS -cp library.jar:child MAIN ARGS */
    Result onClassPath(String main, List<String> flags, String... args) throws Exception {
        List<String> command = new ArrayList<>(flags);
        command.addAll(List.of("-cp", jar + java.io.File.pathSeparator + childClasses, main));
        command.addAll(Arrays.asList(args));
        return run(command);
    }

    /** java FLAGS -cp library.jar:child ChildMain */
    Result onClassPath(String... flags) throws Exception {
        return onClassPath(CHILD, Arrays.asList(flags));
    }

    /** java FLAGS --module-path library.jar --add-modules reloaded.memory.buffers -cp child ChildMain */
    Result onModulePath(String... flags) throws Exception {
        List<String> command = new ArrayList<>(Arrays.asList(flags));
        command.addAll(List.of("--module-path", jar.toString(), "--add-modules", MODULE, "-cp",
                childClasses.toString(), CHILD));
        return run(command);
    }

    /**
     * java FLAGS -cp library.jar:classDir MAIN ARGS, with env's variables set (a null value removes one):
     * MAIN may be any class of the test classes directory classDir.
     */
    Result onClassPathWith(java.util.Map<String, String> env, List<String> flags, Path classDir, String main,
            String... args) throws Exception {
        List<String> command = new ArrayList<>(flags);
        command.addAll(List.of("-cp", jar + java.io.File.pathSeparator + classDir, main));
        command.addAll(Arrays.asList(args));
        return run(command, env);
    }

    private static Result run(List<String> arguments) throws Exception {
        return run(arguments, java.util.Map.of());
    }

    private static Result run(List<String> arguments, java.util.Map<String, String> env) throws Exception {
        List<String> command = new ArrayList<>();
        // buffers.test.java: a launcher where this JVM's own binary cannot be started (qemu-user)
        String java = System.getProperty("buffers.test.java");
        command.add(java != null ? java : Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        env.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 120 s: " + command);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), out, err);
    }

    /**
     * A multi-release jar of the classes directory. It names its module in the manifest; once the
     * build compiles a module-info.class that one wins, with the same name.
     */
    private static void packLibrary(Path classes, Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MULTI_RELEASE, "true");
        main.put(new Attributes.Name("Automatic-Module-Name"), MODULE);
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String name = classes.relativize(p).toString().replace('\\', '/');
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                out.putNextEntry(new JarEntry(name));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
    }
}
