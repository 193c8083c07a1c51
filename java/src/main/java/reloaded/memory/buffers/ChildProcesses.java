package reloaded.memory.buffers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Refuses, on Linux, to act in a process this JVM started itself. The JVM's process reaper waits for
 * every child it started ({@code waitpid(child)}), and the kernel reports a traced child's ptrace
 * stops to that wait too: the reaper would take the stops of the C side's short ptrace sessions and
 * then report a false exit of the child through its {@link Process}. So such a pid is an argument
 * error with the way around it, instead of a hang or a corrupted {@link Process}.
 */
final class ChildProcesses {
    private ChildProcesses() {
    }

    /** Throws IllegalArgumentException if pid is a child of this JVM on Linux. */
    static void refuseChildOfThisJvm(long pid) {
        if (!Platform.os(System.getProperty("os.name", "")).equals("linux")) {   // not current(): no maps read
            return;
        }
        if (parentOf(pid) == self()) {
            throw new IllegalArgumentException("process " + pid + " is a child of this JVM, whose process reaper "
                    + "waits for it and would take the ptrace stops of every change made in it (and report a "
                    + "false exit); start it so that it is not this JVM's child, e.g. through "
                    + "sh -c 'program & echo $!'");
        }
    }

    /** This process's pid, from the /proc/self link (ProcessHandle.current() starts the reaper executor too). */
    private static long self() {
        try {
            return Long.parseLong(Files.readSymbolicLink(Paths.get("/proc/self")).toString());
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().pid();
        }
    }

    /**
     * The parent's pid from /proc/PID/stat (the field after the state, which follows the last ')' of
     * the name), or -1 when the process is gone or the file unreadable. Read directly, as
     * ProcessHandle.parent() does too, because asking ProcessHandle about another process starts its
     * reaper executor and lambdas: milliseconds of every CLI write.
     */
    static long parentOf(long pid) {
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")), StandardCharsets.US_ASCII);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Long.parseLong(fields[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
