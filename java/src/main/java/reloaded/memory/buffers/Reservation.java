package reloaded.memory.buffers;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Bytes of a shared buffer handed to their owner before they are written
 * ({@link Buffer#reserve(int)}): a trampoline whose bytes depend on where it lives learns its
 * {@link #address()} first, is {@linkplain #write written} then, and is {@linkplain #commit()
 * committed} (made executable, the instruction cache flushed for exactly these bytes). The bytes stay
 * the owner's after the buffer is closed; the library never writes them. While the buffer is still
 * open, the last reservation can be {@linkplain #unreserve() given back}.
 *
 * <p>Thread-safe. Writing and committing work after the buffer is closed, from any thread.
 */
public final class Reservation {
    private final Buffer buffer;
    private final long address;
    private final long writable;
    private final int size;
    /** Set once given back; every later use throws. */
    private boolean returned;
    private final List<Runnable> onReturn = new ArrayList<>();

    Reservation(Buffer buffer, long address, long writable, int size) {
        this.buffer = buffer;
        this.address = address;
        this.writable = writable;
        this.size = size;
    }

    /**
     * Where the bytes execute.
     *
     * @return the address of the first byte (unsigned)
     */
    public long address() {
        return address;
    }

    /**
     * Where the bytes are written: the same as {@link #address()} today (buffers are readable,
     * writable and executable); it would differ only in a write-xor-execute mode.
     *
     * @return the address to write the first byte at (unsigned)
     */
    public long writableAddress() {
        return writable;
    }

    /**
     * The number of bytes reserved.
     *
     * @return the size
     */
    public int size() {
        return size;
    }

    /**
     * Copies {@code data} to the reserved bytes from {@code offset} on.
     *
     * @param offset where in the reservation the first byte goes
     * @param data   the bytes
     * @throws NullPointerException      if {@code data} is null
     * @throws IndexOutOfBoundsException if {@code [offset, offset + data.length)} is not inside the
     *                                   reservation
     * @throws IllegalStateException     if the reservation was given back
     */
    public synchronized void write(int offset, byte[] data) {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(offset, data.length, size);
        usable();
        if (data.length > 0) {
            java.nio.ByteBuffer view = NativeBuffers.directBuffer(writable + offset, data.length);
            if (view == null) {
                throw new IllegalStateException(NativeBuffers.lastError());
            }
            view.put(data);
        }
    }

    /**
     * Makes the reserved bytes executable where the buffer is not already, and flushes the
     * instruction cache for exactly them. Call it after the last {@link #write}; may be called
     * again after further writes.
     *
     * @throws IllegalStateException if the reservation was given back
     */
    public synchronized void commit() {
        usable();
        Status.check(NativeBuffers.commitCode(address, size), address, address, size);
    }

    /**
     * Gives the bytes back to the buffer: only the last reservation of a buffer that is still open,
     * with nothing appended or reserved after it. Afterwards this object is unusable.
     *
     * @throws IllegalStateException    if the reservation was already given back, its buffer is
     *                                  closed (the bytes are then permanent), or this thread is not
     *                                  the one its buffer belongs to (a buffer of this process)
     * @throws IllegalArgumentException if it is not the buffer's last reservation, or bytes were
     *                                  appended after it
     */
    public synchronized void unreserve() {
        usable();
        buffer.unreserve(address, size);
        returned = true;
        onReturn.forEach(Runnable::run);
        onReturn.clear();
    }

    /** Runs action when the reservation is given back (the JDK 22+ segment view closes with it). */
    synchronized void onUnreserve(Runnable action) {
        usable();
        onReturn.add(action);
    }

    private void usable() {
        if (returned) {
            throw new IllegalStateException("the reservation at " + Addresses.hex(address) + " was given back");
        }
    }

    /**
     * The reservation's range.
     *
     * @return a readable description
     */
    @Override
    public String toString() {
        return "Reservation[address " + Addresses.hex(address) + ", size " + size + "]";
    }
}
