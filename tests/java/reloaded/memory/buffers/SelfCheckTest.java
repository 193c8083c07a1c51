package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The self-check at first load (native/src/api/self_check.h; docs/platforms.md, "Self-check"),
 * forced on here: a JNI library built with the check on and test-only faults
 * (CMake target buffers_jni_self_checked), loaded by path in a child JVM. A step made to fail
 * (BUFFERS_SELF_CHECK_FAIL) leaves the library unavailable with the step's name; a passing check
 * costs under a millisecond, once. On JDK 22+ the child's route is FFM: both routes load through
 * the same static initialiser, so both pass the check.
 */
class SelfCheckTest {
    private static final long BUDGET_MICROS = 1000;

    /** The test library, built for the platform this suite's own library is (native.platform). */
    private static Path library() {
        String platform = System.getProperty("buffers.test.selfCheckedPlatform", "");
        assumeTrue(platform.equals(Platform.current()), "the self-checked test library is built for " + platform
                + " only (pom.xml); this JVM is " + Platform.current());
        String name = System.getProperty("buffers.test.selfCheckedLibrary");
        assertTrue(name != null && Files.isRegularFile(Paths.get(name)), "no self-checked JNI library at " + name
                + ": pom.xml's cmake-build builds the target buffers_jni_self_checked; run the tests through Maven");
        return Paths.get(name);
    }

    private record Child(String stdout, String stderr) {
        String line(String key) {
            for (String line : stdout.split("\n")) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1);
                }
            }
            throw new AssertionError("no '" + key + "=' line:\n" + this);
        }

        @Override
        public String toString() {
            return "--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private static Child run(String failingStep) throws Exception {
        String classes = System.getProperty("buffers.test.classes");
        String testClasses = Paths.get(SelfCheckTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-D" + NativeLoader.PATH_PROPERTY + "=" + library(), "-D" + NativeLoader.DEBUG_PROPERTY + "=true",
                "-cp", classes + File.pathSeparator + testClasses, SelfCheckMain.class.getName()));
        Map<String, String> env = builder.environment();
        env.remove("BUFFERS_SELF_CHECK_FAIL");
        if (failingStep != null) {
            env.put("BUFFERS_SELF_CHECK_FAIL", failingStep);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the child JVM did not finish in 120 s");
        }
        Child child = new Child(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, process.exitValue(), child.toString());
        return child;
    }

    @Test
    void aPassingCheckCostsUnderAMillisecondOnce() throws Exception {
        Child child = run(null);
        assertEquals("true", child.line("available"), child.toString());
        Matcher first = Pattern.compile("self-check passed \\(or compiled out\\) in (\\d+) us").matcher(child.stderr());
        assertTrue(first.find(), "the loader's trace of the check is missing\n" + child);
        assertTrue(Long.parseLong(first.group(1)) < BUDGET_MICROS, "the check took " + first.group(1) + " us\n" + child);
        Matcher again = Pattern.compile("^0 ns=(\\d+)$").matcher(child.line("again"));
        assertTrue(again.find(), child.toString());
        assertTrue(Long.parseLong(again.group(1)) < BUDGET_MICROS * 1000 / 10, "a second check is not free:\n" + child);
        assertTrue(child.stdout().contains("write ok"), child.toString());
        System.out.println("route " + child.line("route") + ": first check " + first.group(1) + " us, second "
                + again.group(1) + " ns");
    }

    @ParameterizedTest
    @ValueSource(strings = {"near-own-code", "append-code-call", "commit-code-read-back", "low-4gib", "second-lookup"})
    void aFailingStepMakesTheLibraryUnavailableNamingIt(String step) throws Exception {
        Child child = run(step);
        assertEquals("false", child.line("available"), child.toString());
        String cause = child.line("cause");
        assertTrue(cause.contains("self-check failed at step '" + step + "'"), child.toString());
        assertTrue(child.stdout().contains("call threw"), child.toString());
    }
}
