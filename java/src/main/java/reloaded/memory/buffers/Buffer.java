package reloaded.memory.buffers;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A buffer from the shared locator, locked for its owner until {@link #close()}. Appended bytes
 * never move and are never overwritten by the library. Get one from
 * {@link Buffers#getBuffer(BufferSearchSettings)} in a try-with-resources block; a buffer that is
 * never closed stays locked for the life of the process.
 *
 * <p>A buffer from {@link ProcessBuffers#getBuffer(BufferSearchSettings)} lives in another process:
 * its addresses are that process's, and appends write into that process's memory. Closing its
 * {@link ProcessBuffers} closes it too.
 *
 * <p>A buffer of this process belongs to the thread that got it, as a confined
 * {@code java.lang.foreign.Arena} does: every method other than {@link #isOpen()} and
 * {@link #toString()} called from another thread throws {@link IllegalStateException} and changes
 * nothing, so that the hot path ({@code append}, {@code close}) takes no lock. A buffer of another
 * process ({@link ProcessBuffers}) may be used and closed from any thread (its methods lock). After
 * {@link #close()} every method other than {@code close}, {@code isOpen} and {@code toString}
 * throws {@link IllegalStateException}.
 */
public final class Buffer implements AutoCloseable {
    /** The C handle (buffers_item*); 0 once closed. */
    private long item;
    /** The other process this buffer lives in, told when it is closed; null for this process. */
    private final ProcessBuffers owner;
    /**
     * The one thread that may use a buffer of this process (null: another process's buffer, used
     * under this object's monitor by any thread). Only it reads or writes item, so the hot path
     * needs no lock.
     */
    private final Thread thread;

    Buffer(long item) {
        this(item, null);
    }

    Buffer(long item, ProcessBuffers owner) {
        this.item = item;
        this.owner = owner;
        this.thread = owner == null ? Thread.currentThread() : null;
    }

    /**
     * Copies all of {@code data} to the buffer's next free address.
     *
     * @param data the bytes to copy
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException     if {@code data} is null
     * @throws IllegalArgumentException if {@code data} is longer than {@link #bytesLeft()}
     * @throws IllegalStateException    if the buffer is closed
     */
    public long append(byte[] data) {
        Objects.requireNonNull(data, "data");
        return appendArray(data, 0, data.length, false);
    }

    /**
     * Copies {@code data[offset, offset + length)} to the buffer's next free address.
     *
     * @param data   the array holding the bytes
     * @param offset the index of the first byte to copy
     * @param length the number of bytes to copy
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException      if {@code data} is null
     * @throws IndexOutOfBoundsException if the range is not inside {@code data}
     * @throws IllegalArgumentException  if {@code length} is more than {@link #bytesLeft()}
     * @throws IllegalStateException     if the buffer is closed
     */
    public long append(byte[] data, int offset, int length) {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(offset, length, data.length);
        return appendArray(data, offset, length, false);
    }

    /**
     * Copies the remaining bytes of {@code data} (position to limit) to the buffer's next free
     * address and moves {@code data}'s position to its limit.
     *
     * @param data a heap or direct byte buffer
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException     if {@code data} is null
     * @throws IllegalArgumentException if more bytes remain than {@link #bytesLeft()}
     * @throws IllegalStateException    if the buffer is closed
     */
    public long append(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        int position = data.position();
        int length = data.remaining();
        long address;
        if (data.isDirect()) {
            synchronized (this) { // not the hot path: the monitor serves both kinds of buffer
                long handle = open();
                address = length == 0 ? nextAddress(handle)
                        : fitted(NativeBuffers.appendDirect(handle, data, position, length, false), handle, length);
            }
            Reference.reachabilityFence(data);
        } else if (data.hasArray()) {
            address = appendArray(data.array(), data.arrayOffset() + position, length, false);
        } else {
            byte[] copy = new byte[length];
            data.duplicate().get(copy);
            address = appendArray(copy, 0, length, false);
        }
        data.position(position + length);
        return address;
    }

    /**
     * Copies machine code to the buffer's next free address, makes it executable and flushes the
     * instruction cache for exactly the written bytes.
     *
     * @param code the instructions
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException     if {@code code} is null
     * @throws IllegalArgumentException if {@code code} is longer than {@link #bytesLeft()}
     * @throws IllegalStateException    if the buffer is closed
     */
    public long appendCode(byte[] code) {
        Objects.requireNonNull(code, "code");
        return appendArray(code, 0, code.length, true);
    }

    /**
     * Reserves the buffer's next {@code size} bytes for the caller to fill later: the reservation
     * starts at {@code baseAddress() + position()} and the position moves past it. Fill it with
     * {@link Reservation#write}, then {@link Reservation#commit()}; both work after this buffer is
     * closed. While the buffer is open, the last reservation can be given back
     * ({@link Reservation#unreserve()}).
     *
     * @param size the number of bytes, 1 to {@link #bytesLeft()}
     * @return the reservation
     * @throws IllegalArgumentException      if {@code size} is not positive or more than is left
     * @throws UnsupportedOperationException if the buffer lives in another process
     * @throws IllegalStateException         if the buffer is closed
     */
    public synchronized Reservation reserve(int size) {
        long handle = open();
        if (size <= 0) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
        long[] out = new long[2];
        long result = NativeBuffers.reserve(handle, size, out);
        if (result < 0) {
            long base = NativeBuffers.itemBaseAddress(handle);
            throw Status.toException((int) -result, NativeBuffers.lastError(), base, base, size);
        }
        return new Reservation(this, out[0], out[1], size);
    }

    /** Gives a reservation back (Reservation.unreserve): the buffer must still be open. */
    synchronized void unreserve(long address, int size) {
        confined();
        if (item == 0) {
            throw new IllegalStateException("the buffer is closed: the reservation at " + Addresses.hex(address)
                    + " is permanent");
        }
        Status.check(NativeBuffers.unreserve(item, address), address, address, size);
    }

    /**
     * The address of the buffer's first byte.
     *
     * @return the address (unsigned)
     * @throws IllegalStateException if the buffer is closed
     */
    public synchronized long baseAddress() {
        return NativeBuffers.itemBaseAddress(open());
    }

    /**
     * The buffer's size in bytes.
     *
     * @return the size; a {@code long} because a buffer may hold 2 GiB or more
     * @throws IllegalStateException if the buffer is closed
     */
    public synchronized long size() {
        return unsigned(NativeBuffers.itemSize(open()));
    }

    /**
     * The number of bytes already handed out; the next append writes at
     * {@code baseAddress() + position()}.
     *
     * @return the position
     * @throws IllegalStateException if the buffer is closed
     */
    public synchronized long position() {
        return unsigned(NativeBuffers.itemPosition(open()));
    }

    /**
     * The number of bytes that can still be appended.
     *
     * @return size minus position
     * @throws IllegalStateException if the buffer is closed
     */
    public synchronized long bytesLeft() {
        return unsigned(NativeBuffers.itemBytesLeft(open()));
    }

    /**
     * Whether the buffer is still locked for this owner. Any thread may ask; for a buffer of this
     * process, another thread than its own may see a close late (its owner closes without a lock).
     *
     * @return false once {@link #close()} was called
     */
    public synchronized boolean isOpen() {
        return item != 0;
    }

    /**
     * Unlocks the buffer for other users. Calling it again does nothing.
     *
     * @throws IllegalStateException if a buffer of this process is closed from a thread other than
     *                               the one that got it (it stays open)
     */
    @Override
    public void close() {
        if (owner == null) {
            confined();
            if (item != 0) {
                NativeRoute.release(item);
                item = 0;
            }
            return;
        }
        synchronized (this) {
            if (item == 0) {
                return;
            }
            NativeBuffers.release(item);
            item = 0;
        }
        owner.forget(this); // outside this buffer's lock: ProcessBuffers.close takes the two the other way
    }

    /**
     * The buffer's address range and fill, or that it is closed.
     *
     * @return a readable description
     */
    @Override
    public synchronized String toString() {
        if (thread != null && thread != Thread.currentThread()) { // its item may be released meanwhile
            return "Buffer[of thread \"" + thread.getName() + "\"]";
        }
        if (item == 0) {
            return "Buffer[closed]";
        }
        long base = NativeBuffers.itemBaseAddress(item);
        return "Buffer[base " + Addresses.hex(base) + ", size " + unsigned(NativeBuffers.itemSize(item))
                + ", position " + unsigned(NativeBuffers.itemPosition(item)) + "]";
    }

    /** The hot path: no lock for a buffer of this process (its thread alone gets here), the monitor otherwise. */
    private long appendArray(byte[] data, int offset, int length, boolean code) {
        if (owner == null) {
            return appendOpen(data, offset, length, code, true);
        }
        synchronized (this) {
            return appendOpen(data, offset, length, code, false);
        }
    }

    /** The append on the open handle; here says whether the item is this process's (the route's own call). */
    private long appendOpen(byte[] data, int offset, int length, boolean code, boolean here) {
        long handle = open();
        if (length == 0) {
            return nextAddress(handle);
        }
        long at = here ? NativeRoute.append(handle, data, offset, length, code)
                : JniWrites.append(handle, data, offset, length, code);
        return fitted(at, handle, length);
    }

    /** The address an append returned, or the exception for one that failed (-status). */
    private static long fitted(long address, long handle, int length) {
        if (address < 0) {
            String detail = NativeBuffers.lastError();
            long base = NativeBuffers.itemBaseAddress(handle);
            // -status is the C core's own (buffers_last_status): PERMISSION when another process's OS
            // refused the write, INVALID_ARGUMENT for too many bytes, as on the FFM route
            throw Status.toException((int) -address, detail + " (data length " + length
                    + ", " + unsigned(NativeBuffers.itemBytesLeft(handle)) + " bytes left in the buffer)", base, base,
                    length);
        }
        return address;
    }

    private static long nextAddress(long handle) {
        return NativeBuffers.itemBaseAddress(handle) + unsigned(NativeBuffers.itemPosition(handle));
    }

    /**
     * A C {@code uint32_t} counter (size, position, bytes left) that crossed JNI as 32 raw bits: a
     * buffer of 2 GiB or more has counters above {@code Integer.MAX_VALUE}.
     */
    static long unsigned(int raw) {
        return Integer.toUnsignedLong(raw);
    }

    /** What the JDK 22+ segment entry points append with: the address written at, or an exception. */
    interface RawAppend {
        long append(long handle);
    }

    /**
     * Runs a raw append (JDK 22+ segment entry points) under this buffer's lock with its open
     * handle; an empty one returns the next address without calling it.
     */
    synchronized long appendWith(long length, RawAppend append) {
        long handle = open();
        return length == 0 ? nextAddress(handle) : append.append(handle);
    }

    /** The open handle, on the thread allowed to use it; else the exception, nothing changed. */
    private long open() {
        confined();
        if (item == 0) {
            throw new IllegalStateException("the buffer is closed");
        }
        return item;
    }

    /** Throws unless this thread may use the buffer (any thread may use another process's). */
    private void confined() {
        Thread me = Thread.currentThread();
        if (thread != me && thread != null) {
            throw new IllegalStateException("the buffer belongs to thread \"" + thread.getName() + "\" (id "
                    + thread.getId() + "), not to \"" + me.getName() + "\": a buffer of this process is used by"
                    + " the thread that got it");
        }
    }
}
