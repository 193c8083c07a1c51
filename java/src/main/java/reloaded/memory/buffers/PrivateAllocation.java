package reloaded.memory.buffers;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read/write/execute memory reserved for one owner, not registered in the shared locator. Get it
 * from {@link Buffers#allocatePrivateMemory(BufferAllocatorSettings)}; {@link #close()} frees it.
 * After close every method other than {@code close} and {@link #isOpen()} throws
 * {@link IllegalStateException}.
 *
 * <p>Views ({@link #asByteBuffer()}, and on JDK 22+ the segment of {@code PrivateSegments}) never
 * crash the JVM, even when used after close: a segment then throws {@link IllegalStateException};
 * a byte buffer (which Java cannot revoke) keeps working on private zero-filled memory at the same
 * addresses, which stay reserved until every byte buffer view is unreachable, so it can never
 * alias memory handed out later.
 */
public final class PrivateAllocation implements AutoCloseable {
    /** Allocations of this class loader that are not yet freed: the memory code may be written to. */
    private static final Set<PrivateAllocation> LIVE = ConcurrentHashMap.newKeySet();
    /** Frees ranges whose last byte buffer view became unreachable after close. */
    private static final Cleaner VIEWS_GONE = Cleaner.create();

    private final long baseAddress;
    private final long size;
    private final int processId;
    private final Reservation reservation;
    /** Run at close before the memory goes (JDK 22+: closing the segment views' arenas). */
    private final List<Runnable> closeHooks = new ArrayList<>();
    private boolean open = true;

    PrivateAllocation(long baseAddress, long size, int processId) {
        this.baseAddress = baseAddress;
        this.size = size;
        this.processId = processId;
        this.reservation = new Reservation(baseAddress, size, processId);
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
     * A direct byte buffer over the whole allocation, for reading and writing it from Java. After
     * {@link #close()} the buffer still reads and writes without fault, but on fresh zero-filled
     * memory that is no longer the allocation (nor any other memory): the address range stays
     * reserved until this buffer and every view derived from it are unreachable.
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
        checkOwnProcess();
        ByteBuffer view = NativeBuffers.directBuffer(baseAddress, (int) size);
        if (view == null) {
            throw Status.toException(Status.OUT_OF_MEMORY, NativeBuffers.lastError(), baseAddress, baseAddress, size);
        }
        reservation.viewMade();
        // Slices and duplicates of a direct buffer keep it reachable, so this one object stands for all.
        VIEWS_GONE.register(view, reservation::viewGone);
        return view;
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
     * Frees the memory (or, while byte buffer views are reachable, takes it back as described at
     * {@link #asByteBuffer()}). Calling it again does nothing.
     *
     * @throws BufferAllocationException if the operating system refused to free it
     * @throws IllegalStateException     if a segment view is in use by a native call right now
     *                                   (nothing was freed; close again later)
     */
    @Override
    public synchronized void close() {
        if (!open) {
            return;
        }
        while (!closeHooks.isEmpty()) {
            closeHooks.get(closeHooks.size() - 1).run(); // may throw: the allocation stays open
            closeHooks.remove(closeHooks.size() - 1);
        }
        open = false;
        LIVE.remove(this);
        reservation.close();
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

    /** Registers an action close() runs before the memory goes; throws if already closed. */
    synchronized void onClose(Runnable hook) {
        checkOpen();
        checkOwnProcess();
        closeHooks.add(hook);
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

    private void checkOwnProcess() {
        if (processId != 0 && processId != ProcessHandle.current().pid()) {
            throw new UnsupportedOperationException("the memory belongs to process " + processId);
        }
    }

    /**
     * The address range and the byte buffer views still reachable. It must not refer to its
     * PrivateAllocation nor to any view: the Cleaner's actions hold it.
     */
    private static final class Reservation {
        private final long base;
        private final long size;
        private final int processId;
        private int views;
        private boolean closed;

        Reservation(long base, long size, int processId) {
            this.base = base;
            this.size = size;
            this.processId = processId;
        }

        synchronized void viewMade() {
            views++;
        }

        /** The Cleaner thread: a view became unreachable. Frees the range if it was the last after close. */
        synchronized void viewGone() {
            views--;
            if (closed && views == 0) {
                NativeBuffers.freePrivate(base, size, processId); // nobody to tell if this fails
            }
        }

        /** Frees the range now, or, with views around, swaps in zero pages and frees it when they go. */
        synchronized void close() {
            closed = true;
            long result = views == 0 ? NativeBuffers.freePrivate(base, size, processId)
                    : NativeBuffers.retirePrivate(base, size, processId);
            Status.check(result, base, base, size);
        }
    }
}
