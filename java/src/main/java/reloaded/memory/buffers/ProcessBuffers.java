package reloaded.memory.buffers;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Buffers and private memory of another process, opened with {@link Buffers#ofProcess(long)}.
 * Shared buffers come from that process's own locator chain; a process that never loaded this
 * library (or another implementation of the format) gets a locator made for it, which its library
 * adopts if it loads one later. Appends write into its memory, and the buffers are shared with the
 * process itself and every other user of them. Use it in a try-with-resources block.
 *
 * <p>What is needed (docs/external.md): permission to debug the process (same user, or
 * {@code CAP_SYS_PTRACE}, and what Yama's {@code ptrace_scope} asks) and a 64-bit build on Linux;
 * on Windows, access to the process ({@code PROCESS_VM_OPERATION}, {@code PROCESS_DUP_HANDLE}).
 * Linux (x86-64, aarch64) and Windows (32- and 64-bit) both have buffers and private memory of
 * another process; 32-bit Linux and macOS have neither, nor has a system where ptrace is refused to
 * every caller (a seccomp filter, an emulator): {@link UnsupportedOperationException} with the reason.
 *
 * <p>Not for a process this JVM started itself on Linux ({@link ProcessBuilder},
 * {@link Runtime#exec}): the JVM's process reaper waits on its children and would take the stops
 * the library waits for, so {@link Buffers#ofProcess} refuses such a child with
 * {@link IllegalArgumentException}. Start such a target through a shell, so that it is a
 * grandchild.
 *
 * <p>Thread-safe. After {@link #close()} every method other than {@code close}, {@link #isOpen()},
 * {@link #pid()} and {@code toString} throws {@link IllegalStateException}.
 */
public final class ProcessBuffers implements AutoCloseable {
    private final int pid;
    /** Readers: calls that use the native handle; the writer: close, which frees it. */
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /** Buffers handed out and not yet closed: their item handles die with the native handle. */
    private final Set<Buffer> openBuffers = ConcurrentHashMap.newKeySet();
    /** Guards {@link #handle}: one thread opens the native handle, the others use it. */
    private final Object opening = new Object();
    /** buffers_process*, 0 until the process's locator was attached. */
    private long handle;
    private volatile boolean closed;

    private ProcessBuffers(int pid) {
        this.pid = pid;
    }

    /**
     * Checks the pid and opens the native handle. A refusal that may pass later (UNSUPPORTED:
     * buffers of other processes are not possible here) is left to
     * {@link #getBuffer}, so that {@link #allocatePrivateMemory} still works.
     */
    static ProcessBuffers open(long pid) {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pid must be from 1 to " + Integer.MAX_VALUE + ", was " + pid);
        }
        ChildProcesses.refuseChildOfThisJvm(pid);
        ProcessBuffers process = new ProcessBuffers((int) pid);
        process.attach(false, 0, 0, 0);
        return process;
    }

    /**
     * The process these buffers live in.
     *
     * @return its process id
     */
    public long pid() {
        return pid;
    }

    /**
     * Finds a buffer of the process matching the settings, or makes one there and registers it in
     * the process's locator, and locks it for the caller until {@link Buffer#close()}. The
     * buffer's addresses are the process's; its appends write into the process's memory.
     *
     * @param settings where (in the process's address space) the buffer may lie and how many bytes
     *                 must be free
     * @return the locked buffer; closing this handle closes it too
     * @throws NullPointerException          if {@code settings} is null
     * @throws IllegalStateException         if this handle is closed
     * @throws IllegalArgumentException      if the process has exited
     * @throws SecurityException             if the operating system refuses access to the process
     * @throws UnsupportedOperationException if this platform cannot act in another process
     *                                       (32-bit Linux)
     * @throws BufferAllocationException     if no buffer exists or can be made inside the range, or
     *                                       the process's locator cannot be made there
     */
    public Buffer getBuffer(BufferSearchSettings settings) {
        Objects.requireNonNull(settings, "settings");
        long min = settings.minAddress();
        long max = settings.maxAddress();
        int size = settings.size();
        lock.readLock().lock();
        try {
            checkOpen();
            long process = attach(true, min, max, size);
            long item = Status.check(NativeBuffers.processGetBuffer(process, min, max, size), min, max, size);
            Buffer buffer = new Buffer(item, this);
            openBuffers.add(buffer);
            return buffer;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Reserves read/write/execute memory inside the settings' range in the process, for the
     * caller alone. The process need not use this library. The allocation outlives this handle:
     * close it to free the memory.
     *
     * @param settings where the memory may lie and its size; the target process id must be 0 or
     *                 {@link #pid()} (it is set to {@link #pid()})
     * @return the allocation, in the process's address space
     * @throws NullPointerException          if {@code settings} is null
     * @throws IllegalArgumentException      if the settings name another process, or the process
     *                                       has exited
     * @throws IllegalStateException         if this handle is closed
     * @throws SecurityException             if the operating system refuses access to the process
     * @throws UnsupportedOperationException if this platform cannot allocate in another process
     * @throws BufferAllocationException     if no memory could be reserved inside the range
     */
    public PrivateAllocation allocatePrivateMemory(BufferAllocatorSettings settings) {
        Objects.requireNonNull(settings, "settings");
        if (settings.targetProcessId() != 0 && settings.targetProcessId() != pid) {
            throw new IllegalArgumentException("the settings target process " + settings.targetProcessId()
                    + ", but this handle is for process " + pid);
        }
        lock.readLock().lock();
        try {
            checkOpen();
            return Buffers.allocatePrivateMemory(settings.withTargetProcessId(pid));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Whether this handle can still be used.
     *
     * @return false once {@link #close()} was called
     */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Closes every buffer this handle handed out that is still open, then the handle. Private
     * allocations stay. Calling it again does nothing.
     */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (Buffer buffer : List.copyOf(openBuffers)) {
                buffer.close();
            }
            synchronized (opening) {
                if (handle != 0) {
                    NativeBuffers.processClose(handle);
                    handle = 0;
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * The process id and whether the handle is open.
     *
     * @return a readable description
     */
    @Override
    public String toString() {
        return "ProcessBuffers[pid " + pid + (closed ? ", closed]" : "]");
    }

    /** Called by a buffer of this handle when it is closed. */
    void forget(Buffer buffer) {
        openBuffers.remove(buffer);
    }

    /**
     * The native handle, opening it if need be (the process may have made its locator since). A
     * failure throws, except UNSUPPORTED when {@code required} is false (then 0).
     */
    private long attach(boolean required, long min, long max, long size) {
        synchronized (opening) {
            if (handle == 0) {
                long result = NativeBuffers.processOpen(pid);
                if (result < 0 && (required || (int) -result != Status.UNSUPPORTED)) {
                    throw Status.toException((int) -result, NativeBuffers.lastError(), min, max, size);
                }
                handle = Math.max(result, 0);
            }
            return handle;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the handle of process " + pid + " is closed");
        }
    }
}
