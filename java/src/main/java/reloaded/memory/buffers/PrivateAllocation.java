package reloaded.memory.buffers;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read/write/execute memory reserved for one owner, not registered in the shared locator. Get it
 * from {@link Buffers#allocatePrivateMemory(BufferAllocatorSettings)}; {@link #close()} frees it.
 * After close every method other than {@code close} and {@link #isOpen()} throws
 * {@link IllegalStateException}.
 */
public final class PrivateAllocation implements AutoCloseable {
    /** Allocations of this class loader that are not yet freed: the memory code may be written to. */
    private static final Set<PrivateAllocation> LIVE = ConcurrentHashMap.newKeySet();

    private final long baseAddress;
    private final long size;
    private final int processId;
    private boolean open = true;

    PrivateAllocation(long baseAddress, long size, int processId) {
        this.baseAddress = baseAddress;
        this.size = size;
        this.processId = processId;
        LIVE.add(this);
    }

    /**
     * The address of the first reserved byte.
     *
     * @return the address (unsigned)
     * @throws IllegalStateException if the memory was freed
     */
    public synchronized long baseAddress() {
        checkOpen();
        return baseAddress;
    }

    /**
     * The number of bytes reserved: the requested size rounded up to the allocation granularity.
     *
     * @return the size in bytes
     * @throws IllegalStateException if the memory was freed
     */
    public synchronized long size() {
        checkOpen();
        return size;
    }

    /**
     * A direct byte buffer over the whole allocation, for reading and writing it from Java. The
     * buffer must not be used after {@link #close()}: the memory behind it is then gone.
     *
     * @return a new buffer of capacity {@link #size()}
     * @throws IllegalStateException         if the memory was freed
     * @throws UnsupportedOperationException if the allocation is larger than 2 GiB - 1 or lives in
     *                                       another process
     */
    public synchronized ByteBuffer asByteBuffer() {
        checkOpen();
        if (size > Integer.MAX_VALUE) {
            throw new UnsupportedOperationException("allocation of " + size + " bytes is larger than a ByteBuffer");
        }
        if (processId != 0 && processId != ProcessHandle.current().pid()) {
            throw new UnsupportedOperationException("the memory belongs to process " + processId);
        }
        return NativeBuffers.directBuffer(baseAddress, (int) size);
    }

    /**
     * Whether the memory is still reserved.
     *
     * @return false once {@link #close()} was called
     */
    public synchronized boolean isOpen() {
        return open;
    }

    /**
     * Frees the memory. Calling it again does nothing.
     *
     * @throws BufferAllocationException if the operating system refused to free it
     */
    @Override
    public synchronized void close() {
        if (open) {
            open = false;
            LIVE.remove(this);
            Status.check(NativeBuffers.freePrivate(baseAddress, size, processId), baseAddress, baseAddress, size);
        }
    }

    /**
     * The allocation's range, or that it was freed.
     *
     * @return a readable description
     */
    @Override
    public synchronized String toString() {
        return open ? "PrivateAllocation[base " + Addresses.hex(baseAddress) + ", size " + size + "]"
                : "PrivateAllocation[freed]";
    }

    /**
     * Runs the action while holding the lock of the live allocation of this class loader that
     * contains [address, address + length); returns false if there is none.
     */
    static boolean withContaining(long address, long length, Runnable action) {
        for (PrivateAllocation allocation : LIVE) {
            synchronized (allocation) {
                if (allocation.open && Addresses.contains(allocation.baseAddress, allocation.size, address, length)) {
                    action.run();
                    return true;
                }
            }
        }
        return false;
    }

    private void checkOpen() {
        if (!open) {
            throw new IllegalStateException("the private allocation was freed");
        }
    }
}
