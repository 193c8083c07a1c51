package reloaded.memory.buffers;

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
        long self = ProcessHandle.current().pid();
        boolean child = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(p -> p.pid() == self)
                .orElse(false);
        if (child) {
            throw new IllegalArgumentException("process " + pid + " is a child of this JVM, whose process reaper "
                    + "waits for it and would take the ptrace stops of every change made in it (and report a "
                    + "false exit); start it so that it is not this JVM's child, e.g. through "
                    + "sh -c 'program & echo $!'");
        }
    }
}
