package reloaded.memory.buffers.remote;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.ProcessBuffers;

/** Processes for the tests of another process's buffers, and reading their memory back. */
public final class Targets {
    private Targets() {
    }

    /**
     * A process started through {@code sh}, so that it is our grandchild: the JVM's process reaper
     * waits (waitpid) on the processes it starts, and would swallow the ptrace stops the library
     * waits for, leaving the library's session hung. A descendant still passes Yama's ptrace_scope 1.
     *
     * @param shell the sh that started it and waits for it (its standard input is the process's)
     * @param pid   the process itself
     */
    public record Grandchild(Process shell, long pid) implements AutoCloseable {
        /** Kills the process and waits for the shell. */
        @Override
        public void close() throws IOException {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            finish(shell);
        }
    }

    /** A child JVM running TargetMain: it has a locator and one released buffer at bufferAddress. */
    public record Target(Grandchild process, long pid, long bufferAddress) implements AutoCloseable {
        /** Closes its standard input (it then exits) and waits for it; kills it if it hangs. */
        @Override
        public void close() throws IOException {
            process.shell().getOutputStream().close();
            finish(process.shell());
        }
    }

    /** Waits up to 60 s for the shell to end; kills it (and fails) if it does not. */
    private static void finish(Process shell) {
        boolean exited;
        try {
            exited = shell.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!exited) {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
            throw new AssertionError("a test process did not exit within 60 s");
        }
    }

    /**
     * Runs command as a grandchild (see Grandchild); the first line the shell prints is its pid. A
     * background job's standard input is /dev/null before its own redirections, so the shell's is
     * handed over through descriptor 3.
     */
    private static Grandchild startGrandchild(BufferedReader[] output, String... command) throws Exception {
        List<String> line = new java.util.ArrayList<>(List.of("sh", "-c", "exec 3<&0; \"$@\" 0<&3 3<&- & echo $!; wait", "sh"));
        line.addAll(List.of(command));
        Process shell = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        output[0] = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
        String pid = readLine(output[0], shell, "its process id");
        return new Grandchild(shell, Long.parseLong(pid.trim()));
    }

    /** The next line, waiting up to 120 s (the machine is loaded); kills the shell's tree if none comes. */
    private static String readLine(BufferedReader reader, Process shell, String what) {
        String line;
        try {
            line = CompletableFuture.supplyAsync(() -> readLine(reader)).get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null) {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly();
            throw new AssertionError("no line with " + what + " within 120 s");
        }
        return line;
    }

    /**
     * Skips the calling test (JUnit assumption, counted as skipped) unless this platform can use the
     * buffers of another process. The native side decides: a plain {@code sleep} gets a locator made
     * for it and a buffer where the mechanism works, and an UNSUPPORTED answer with the reason where
     * it cannot (a 32-bit build; ptrace not emulated under qemu-user). Any other failure is thrown:
     * the calling test fails.
     */
    public static void assumeProcessBuffersWork() throws Exception {
        String unavailable = processBuffersUnavailable();
        assumeTrue(unavailable == null, unavailable);
    }

    /** Why buffers of another process are not possible here (see assumeProcessBuffersWork), or null. */
    public static String processBuffersUnavailable() throws Exception {
        if (!isLinux()) {
            return "buffers of another process are tested on Linux only";
        }
        try (Grandchild sleep = startSleep();
             ProcessBuffers process = Buffers.ofProcess(sleep.pid());
             Buffer buffer = process.getBuffer(BufferSearchSettings.defaults())) {
            buffer.position(); // created a locator in the sleep: supported
        } catch (UnsupportedOperationException e) {
            return "buffers of another process are not possible here: " + e.getMessage();
        }
        return null;
    }

    static boolean isLinux() {
        return System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    /** Starts TargetMain in a JVM (a grandchild) and waits for its ready line. */
    public static Target startJvm() throws Exception {
        String launcher = System.getProperty("buffers.test.java",
                Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        Path tests = Paths.get(TargetMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String classPath = System.getProperty("buffers.test.classes") + File.pathSeparator + tests;
        BufferedReader[] output = new BufferedReader[1];
        Grandchild process = startGrandchild(output, launcher, "--enable-native-access=ALL-UNNAMED", "-cp",
                classPath, TargetMain.class.getName());
        String line = readLine(output[0], process.shell(), "'pid PID buffer HEX ready' from the target JVM");
        String[] words = line.split(" ");
        if (words.length != 5 || !words[4].equals("ready") || Long.parseLong(words[1]) != process.pid()) {
            process.close();
            throw new AssertionError("the target JVM (" + process.pid() + ") said '" + line
                    + "' instead of 'pid PID buffer HEX ready'");
        }
        return new Target(process, process.pid(), Long.parseUnsignedLong(words[3], 16));
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A process that never loaded the library: {@code sleep 30}, as a grandchild, once it sleeps.
     * Waiting matters: a process seized while it is still between fork and exec can be left in a
     * tracing stop by the library (a bug of the C side, reported; see docs/java.md).
     */
    public static Grandchild startSleep() throws Exception {
        Grandchild sleep = startGrandchild(new BufferedReader[1], "sleep", "30");
        Path stat = Paths.get("/proc", Long.toString(sleep.pid()), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!sleeping(stat)) {
            if (System.nanoTime() > deadline) {
                sleep.close();
                throw new AssertionError("sleep " + sleep.pid() + " did not start sleeping within 60 s");
            }
            Thread.sleep(5);
        }
        return sleep;
    }

    /** Whether /proc/PID/stat says "(sleep) S": exec done, blocked in its nanosleep. */
    private static boolean sleeping(Path stat) {
        try {
            return java.nio.file.Files.readString(stat).contains("(sleep) S");
        } catch (IOException e) {
            return false;
        }
    }

    /** The id of a process that has exited (and been reaped): no process has it now, barring reuse. */
    public static long deadPid() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor(30, TimeUnit.SECONDS);
        return done.pid();
    }

    /** length bytes at address of process pid, through /proc/PID/mem (our child: ptrace rules allow it). */
    public static byte[] read(long pid, long address, int length) throws IOException {
        try (FileChannel mem = FileChannel.open(Paths.get("/proc", Long.toString(pid), "mem"),
                StandardOpenOption.READ)) {
            ByteBuffer bytes = ByteBuffer.allocate(length);
            while (bytes.hasRemaining()) {
                if (mem.read(bytes, address + bytes.position()) <= 0) {
                    throw new IOException("only " + bytes.position() + " of " + length + " bytes readable at 0x"
                            + Long.toHexString(address) + " in process " + pid);
                }
            }
            return bytes.array();
        }
    }

    /** The lines of /proc/PID/maps whose range contains address. */
    public static List<String> mappingsAt(long pid, long address) throws IOException {
        return java.nio.file.Files.readAllLines(Paths.get("/proc", Long.toString(pid), "maps")).stream()
                .filter(line -> {
                    String[] range = line.substring(0, line.indexOf(' ')).split("-");
                    return Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                            && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0;
                }).toList();
    }

    /** Whether address lies in [min, max], unsigned. */
    public static boolean inWindow(long address, long min, long max) {
        return Long.compareUnsigned(min, address) <= 0 && Long.compareUnsigned(address, max) <= 0;
    }
}
