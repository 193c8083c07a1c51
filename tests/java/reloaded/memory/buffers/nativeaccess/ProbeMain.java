package reloaded.memory.buffers.nativeaccess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.LocatorFiles;

/**
 * Run in a child JVM by ProbeOnceTest (and NativeAccessDeniedTest): each argument is a step, and
 * each step prints one line.
 * <ul>
 *   <li>{@code probe}: {@code probe available=<bool> cause=<class chain>}, or {@code probe threw <class>}</li>
 *   <li>{@code cached}: {@code cached=<bool>}, whether two probes return the very same cause</li>
 *   <li>{@code call}: {@code call ok}, or {@code call threw <class>}</li>
 *   <li>{@code race}: 8 threads released at once, half probing, half calling; {@code race ok}, or
 *       what failed, or {@code race hung} with where a thread still waits after 30 s</li>
 *   <li>{@code root}: {@code shared root <folder>}, the library's {@code LocatorFiles.sharedRoot()}</li>
 *   <li>{@code maps}: {@code mapped copies: N}, the distinct extracted JNI library files in /proc/self/maps</li>
 * </ul>
 */
public final class ProbeMain {
    private ProbeMain() {
    }

    public static void main(String[] args) throws Exception {
        for (String step : args) {
            System.out.println(run(step));
        }
    }

    private static String run(String step) throws Exception {
        switch (step) {
            case "probe":
                return probe();
            case "cached":
                return "cached=" + (Buffers.unavailabilityCause() == Buffers.unavailabilityCause());
            case "call":
                return call();
            case "race":
                return race();
            case "maps":
                return "mapped copies: " + mappedCopies();
            case "root":
                return "shared root " + LocatorFiles.sharedRoot();
            case "directory":
                Buffers.locatorAddress();   // opens (or makes) the locator
                return "locator directory " + Buffers.locatorDirectory();
            default:
                throw new IllegalArgumentException("unknown step " + step);
        }
    }

    private static String probe() {
        try {
            boolean available = Buffers.isAvailable();
            return "probe available=" + available + " cause=" + chain(Buffers.unavailabilityCause());
        } catch (Throwable t) {
            return "probe threw " + chain(t);
        }
    }

    private static String call() {
        try {
            Buffers.version();
            return "call ok";
        } catch (Throwable t) {
            return "call threw " + chain(t);
        }
    }

    private static String race() throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            boolean probing = i % 2 == 0;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    String result = probing ? probe() : call();
                    if (result.contains("threw") || result.contains("available=false")) {
                        failures.add(result);
                    }
                } catch (InterruptedException e) {
                    failures.add(e.toString());
                }
            });
            t.setDaemon(true); // a deadlocked race must not keep this JVM alive
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(30_000);
            if (t.isAlive()) {
                return "race hung (deadlock?): " + t.getName() + " at " + java.util.Arrays.toString(t.getStackTrace());
            }
        }
        return failures.isEmpty() ? "race ok" : "race failed " + failures;
    }

    /** Distinct files named like the extracted library (buffers_jni-<platform>-<n>.so) that are mapped. */
    private static long mappedCopies() throws IOException {
        return Files.readAllLines(Paths.get("/proc/self/maps")).stream()
                .filter(line -> line.contains("buffers_jni"))
                .map(line -> line.substring(line.indexOf('/')))
                .distinct()
                .count();
    }

    /** "Outer: message <- Inner: message ..." */
    private static String chain(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(s.length() == 0 ? "" : " <- ").append(c.getClass().getName()).append(": ").append(c.getMessage());
        }
        return t == null ? "null" : s.toString();
    }
}
