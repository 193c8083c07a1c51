package reloaded.memory.buffers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Entry point: shared buffers between a minimum and a maximum address, private memory in a range,
 * and code writes. Every copy of the library in one process (this class loaded by several class
 * loaders, or the C library used directly) shares the same buffers.
 *
 * <p>Typical use, a trampoline within 2 GiB of a function:
 * <pre>{@code
 * BufferSearchSettings near = BufferSearchSettings.fromProximity(0x7FFFFFFFL, target, code.length);
 * try (Buffer buffer = Buffers.getBuffer(near)) {
 *     long at = buffer.appendCode(code);
 * }
 * }</pre>
 *
 * <p>The native library is loaded on first use (see {@code docs/java.md} for the system
 * properties that steer it). Addresses are unsigned: compare them with {@link Long#compareUnsigned}.
 *
 * <p>Native access (JEP 472): from JDK 24 on, start the JVM with
 * {@code --enable-native-access=ALL-UNNAMED} when this jar is on the class path, or with
 * {@code --enable-native-access=reloaded.memory.buffers} when it is on the module path
 * ({@code java -jar} needs neither: the manifest enables it). Without the flag the JVM prints a
 * warning; with {@code --illegal-native-access=deny} the first call throws an
 * {@link UnsatisfiedLinkError} that names the flag to add.
 *
 * <p>On JDK 22+ (multi-release jar) {@link #write} and {@link #writeCode} copy through a
 * java.lang.foreign downcall, and the class {@code Segments} offers {@code MemorySegment} entry
 * points; on JDK 17 everything goes through JNI.
 */
public final class Buffers {
    private static final int MAX_ALIGNMENT = 4096;

    private Buffers() {
    }

    /**
     * Finds a shared buffer matching the settings, or makes and registers one, and locks it for the
     * caller until {@link Buffer#close()}.
     *
     * @param settings where the buffer may lie and how many bytes must be free
     * @return the locked buffer
     * @throws NullPointerException      if {@code settings} is null
     * @throws BufferAllocationException if no buffer exists or can be made inside the range
     */
    public static Buffer getBuffer(BufferSearchSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return take(settings, 0);
    }

    /**
     * As {@link #getBuffer(BufferSearchSettings)}, and the buffer's next append address is a
     * multiple of {@code alignment} with at least {@code settings.size()} bytes after it.
     *
     * @param settings  where the buffer may lie and how many bytes must be free
     * @param alignment a power of two from 1 to 4096
     * @return the locked buffer
     * @throws NullPointerException      if {@code settings} is null
     * @throws IllegalArgumentException  if {@code alignment} is not a power of two from 1 to 4096
     * @throws BufferAllocationException if no buffer exists or can be made inside the range
     */
    public static Buffer getBuffer(BufferSearchSettings settings, int alignment) {
        Objects.requireNonNull(settings, "settings");
        if (alignment <= 0 || alignment > MAX_ALIGNMENT || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two from 1 to 4096, was " + alignment);
        }
        return take(settings, alignment);
    }

    /**
     * Gets a buffer, appends {@code data} and releases the buffer, in one native call: the cheapest
     * way to place a few bytes. The search asks for {@code max(settings.size(), data.length)} free bytes.
     *
     * @param settings where the bytes may lie
     * @param data     the bytes to place, at least one
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException      if an argument is null
     * @throws IllegalArgumentException  if {@code data} is empty
     * @throws BufferAllocationException if no buffer exists or can be made inside the range
     */
    public static long write(BufferSearchSettings settings, byte[] data) {
        return writeTo(settings, data, false);
    }

    /**
     * As {@link #write(BufferSearchSettings, byte[])}, and the bytes are made executable with the
     * instruction cache flushed for them.
     *
     * @param settings where the code may lie
     * @param code     the instructions, at least one byte
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException      if an argument is null
     * @throws IllegalArgumentException  if {@code code} is empty
     * @throws BufferAllocationException if no buffer exists or can be made inside the range
     */
    public static long writeCode(BufferSearchSettings settings, byte[] code) {
        return writeTo(settings, code, true);
    }

    /**
     * Reserves read/write/execute memory inside the settings' range, for the caller alone.
     *
     * @param settings where the memory may lie, its size, and the process
     * @return the allocation; close it to free the memory
     * @throws NullPointerException          if {@code settings} is null
     * @throws UnsupportedOperationException if another process is targeted where that is not possible
     * @throws IllegalArgumentException      if the settings target (on Linux) a child of this JVM: its
     *                                       process reaper would take the stops of the ptrace session
     * @throws BufferAllocationException     if no memory could be reserved inside the range
     */
    public static PrivateAllocation allocatePrivateMemory(BufferAllocatorSettings settings) {
        Objects.requireNonNull(settings, "settings");
        int target = settings.targetProcessId();
        if (target != 0 && target != ProcessHandle.current().pid()) {
            ChildProcesses.refuseChildOfThisJvm(target);
        }
        long[] out = new long[3];
        Status.check(NativeBuffers.allocatePrivate(settings.minAddress(), settings.maxAddress(), settings.size(),
                settings.targetProcessId(), settings.retryCount(), settings.bruteForce(), out),
                settings.minAddress(), settings.maxAddress(), settings.size());
        return new PrivateAllocation(out[0], out[1], (int) out[2]);
    }

    /**
     * Opens another process, to use its shared buffers and to reserve private memory in it. Shared
     * buffers come from its locator chain, made for it if it never loaded this library; private
     * memory needs no locator.
     *
     * @param pid the process id, from 1 to {@link Integer#MAX_VALUE}; not this process's
     * @return the handle; close it when done (that closes its buffers too)
     * @throws IllegalArgumentException if {@code pid} is out of range, names this process, no such
     *                                  process exists, or (Linux) it is a child of this JVM, whose
     *                                  process reaper would take the stops of the ptrace sessions
     *                                  that act in it
     * @throws SecurityException        if the operating system refuses access to the process (the
     *                                  message says which permission is missing)
     */
    public static ProcessBuffers ofProcess(long pid) {
        return ProcessBuffers.open(pid);
    }

    /**
     * Copies code over memory this library handed out, keeping it executable, and flushes the
     * instruction cache for exactly the written range.
     *
     * @param source the new bytes
     * @param target where to write them: inside a buffer of this process's locator or inside an
     *               open {@link PrivateAllocation} of this class loader
     * @throws NullPointerException     if {@code source} is null
     * @throws IllegalArgumentException if {@code [target, target + source.length)} is not such memory
     */
    public static void overwriteAllocatedCode(byte[] source, long target) {
        Objects.requireNonNull(source, "source");
        if (source.length == 0) {
            return;
        }
        onOwnedMemory(target, source.length, "target",
                () -> Status.check(NativeBuffers.overwriteCode(source, 0, source.length, target), target, target,
                        source.length));
    }

    /**
     * Copies bytes out of memory this library handed out, e.g. to check what was appended.
     *
     * @param address     the first byte to read: inside a buffer of this process's locator or
     *                    inside an open {@link PrivateAllocation} of this class loader
     * @param destination receives {@code destination.length} bytes
     * @throws NullPointerException     if {@code destination} is null
     * @throws IllegalArgumentException if the range is not such memory
     */
    public static void read(long address, byte[] destination) {
        Objects.requireNonNull(destination, "destination");
        if (destination.length == 0) {
            return;
        }
        onOwnedMemory(address, destination.length, "address",
                () -> Status.check(NativeBuffers.read(address, destination, 0, destination.length), address,
                        address, destination.length));
    }

    /**
     * Every buffer registered in this process's shared locator chain, in locator order.
     *
     * @return an unmodifiable snapshot
     * @throws BufferAllocationException if the shared locator cannot be opened
     */
    public static List<BufferInfo> listBuffers() {
        long[] flat = NativeBuffers.listBuffers();
        if (flat == null) {
            throw Status.toException(Status.LOCATOR, NativeBuffers.lastError(), 0, 0, 0);
        }
        List<BufferInfo> list = new ArrayList<>(flat.length / 5);
        for (int i = 0; i + 4 < flat.length; i += 5) {
            list.add(new BufferInfo(flat[i], flat[i + 1], flat[i + 2], flat[i + 3] != 0, flat[i + 4]));
        }
        return Collections.unmodifiableList(list);
    }

    /**
     * The address of this process's first locator, creating it if needed. Every copy of the library
     * in the process returns the same address.
     *
     * @return the address (unsigned)
     * @throws BufferAllocationException if the shared locator cannot be opened or created
     */
    public static long locatorAddress() {
        return Status.check(NativeBuffers.locatorAddress(), 0, 0, 0);
    }

    /**
     * The directory holding this process's locator file: the shared one, or the per-user fallback
     * when the shared one cannot be trusted.
     *
     * @return the directory, or "" where the locator is not a file (Windows) or was never opened
     */
    public static String locatorDirectory() {
        return NativeBuffers.locatorDirectory();
    }

    /**
     * Creates this process's locators in the upstream Rust library's item layout, so that a copy of
     * the Rust library loaded later in this process reads them (docs/format.md). Call it before any
     * other call of this library; the environment variable {@code BUFFERS_LOCATOR_LAYOUT=rust} does
     * the same for every copy of the library in the process. A locator made by the Rust library is
     * adopted in its layout without this call.
     *
     * @throws BufferAllocationException if the locator already exists in the document's layout (it is
     *         never rewritten), or cannot be opened
     */
    public static void useRustLayout() {
        Status.check(NativeBuffers.useRustLayout(), 0, 0, 0);
    }

    /**
     * Write-xor-execute buffers for this process's copy of the library: no page of a buffer is ever
     * writable and executable at the same address. Buffers run at their address (read+execute) and
     * are written through a second, read+write view of the same memory, which appends, writes and
     * {@link Reservation#write} use by themselves ({@link Reservation#writableAddress()} differs from
     * {@link Reservation#address()}). Every copy of this library in the mode shares these buffers;
     * the upstream libraries never see them. Call it before any other call of this library; the
     * environment variable {@code BUFFERS_WRITE_XOR_EXECUTE=1} does the same for every copy. The mode
     * is also taken by itself when the system refuses writable and executable memory.
     *
     * @throws BufferAllocationException after the first use in the ordinary mode (the locator is
     *         already in use), or where this platform cannot make such buffers
     */
    public static void useWriteXorExecute() {
        Status.check(NativeBuffers.useWriteXorExecute(), 0, 0, 0);
    }

    /**
     * Why this process's buffers are write-xor-execute.
     *
     * @return "" in the ordinary mode (or before the first use); otherwise one line: asked for, or
     *         taken because the system refused writable and executable memory
     */
    public static String writeXorExecuteReason() {
        return NativeBuffers.writeXorExecuteReason();
    }

    /**
     * The item layout of this process's locator chain, finding or creating it.
     *
     * @return {@code "document"} or {@code "rust"}
     * @throws BufferAllocationException if the shared locator cannot be opened
     */
    public static String locatorLayout() {
        String layout = NativeBuffers.locatorLayout();
        if (layout.isEmpty()) {
            throw Status.toException(Status.LOCATOR, NativeBuffers.lastError(), 0, 0, 0);
        }
        return layout;
    }

    /**
     * The highest address user code may map on this machine.
     *
     * @return the address (unsigned)
     */
    public static long maxAddress() {
        return NativeBuffers.maxAddress();
    }

    /**
     * The unit address-space reservations are rounded to: the page size, or 64 KiB on Windows.
     *
     * @return the granularity in bytes
     */
    public static int allocationGranularity() {
        return NativeBuffers.allocationGranularity();
    }

    /**
     * The version of the native library, "MAJOR.MINOR.PATCH".
     *
     * @return the version
     */
    public static String version() {
        return NativeBuffers.version();
    }

    // ---- availability probe (loader logic in NativeLoader) ----

    /**
     * Whether the native library could be loaded for this JVM (loading it now if need be, exactly
     * once whichever call comes first) and, in builds that check themselves (macOS: docs/platforms.md,
     * "Self-check"), passed that check, which gets two buffers and so settles the locator (call
     * {@link #useRustLayout()} first if you need it). Never throws, also when the JVM refuses native
     * access; the answer is computed once and kept. When false, {@link #unavailabilityCause()} says why.
     *
     * @return true if the other methods can be called
     */
    public static boolean isAvailable() {
        return NativeProbe.isAvailable();
    }

    /**
     * Why the native library cannot be used here (no library for this platform, a noexec
     * directory, a library from another build, native access refused by the JVM, a failed
     * self-check naming its step, ...), or null when it loaded. Never throws, and returns the same
     * object on every call.
     *
     * @return the load failure (an {@link UnsatisfiedLinkError} whose cause, if any, is the
     *         original exception, e.g. the JVM's {@link IllegalCallerException}), or null
     */
    public static Throwable unavailabilityCause() {
        return NativeProbe.unavailabilityCause();
    }

    private static Buffer take(BufferSearchSettings settings, int alignment) {
        long item = NativeBuffers.getBuffer(settings.minAddress(), settings.maxAddress(), settings.size(), alignment);
        return new Buffer(Status.check(item, settings.minAddress(), settings.maxAddress(), settings.size()));
    }

    private static long writeTo(BufferSearchSettings settings, byte[] data, boolean code) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(data, code ? "code" : "data");
        if (data.length == 0) {
            throw new IllegalArgumentException((code ? "code" : "data") + " must hold at least one byte");
        }
        int size = Math.max(settings.size(), data.length);
        return NativeRoute.write(settings.minAddress(), settings.maxAddress(), size, data, code);
    }

    /** Runs the access if [address, address + length) is memory this library handed out, else throws. */
    private static void onOwnedMemory(long address, long length, String name, Runnable access) {
        for (BufferInfo info : listBuffers()) {
            if (Addresses.contains(info.baseAddress(), info.size(), address, length)) {
                access.run(); // shared buffers are permanent: no lock needed
                return;
            }
        }
        if (!PrivateAllocation.withContaining(address, length, access)) {
            throw new IllegalArgumentException(name + " range [" + Addresses.hex(address) + ", +" + length
                    + ") is not inside a buffer or an open private allocation of this library");
        }
    }
}
