package reloaded.memory.buffers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * JDK 22+ entry points taking and giving {@link MemorySegment}s (this class exists only in the
 * JDK 22+ part of the multi-release jar).
 *
 * <pre>{@code
 * try (PrivateAllocation memory = Buffers.allocatePrivateMemory(settings)) {
 *     MemorySegment view = Segments.of(memory);      // unusable once memory is closed
 *     long at = Segments.writeCode(near, code);       // code: a heap or native segment
 * }
 * }</pre>
 *
 * <p>Copies into the shared buffers go through java.lang.foreign downcalls into the C core (on
 * 64-bit JVMs; elsewhere through JNI). Like every restricted method, they need
 * native access: {@code --enable-native-access=ALL-UNNAMED} with the jar on the class path,
 * {@code --enable-native-access=reloaded.memory.buffers} on the module path.
 */
public final class Segments {
    private static final long MAX_SIZE = 0xFFFF_FFFFL; // the C core's sizes are uint32_t

    private Segments() {
    }

    /**
     * A segment over the whole private allocation, whose scope ends when the allocation is closed:
     * any access after {@link PrivateAllocation#close()} throws {@link IllegalStateException}.
     *
     * @param allocation an open allocation of this process
     * @return a new segment of {@link PrivateAllocation#size()} bytes
     * @throws NullPointerException          if {@code allocation} is null
     * @throws IllegalStateException         if the allocation is closed
     * @throws UnsupportedOperationException if the allocation lives in another process
     */
    public static MemorySegment of(PrivateAllocation allocation) {
        Objects.requireNonNull(allocation, "allocation");
        // onClose throws if the allocation was closed meanwhile
        return viewUntil(allocation.baseAddress(), allocation.size(), allocation::onClose);
    }

    /**
     * A segment over a reservation's bytes, to fill them in place (at its writable address); its
     * scope ends when the reservation is given back ({@link Reservation#unreserve()}), after which
     * the bytes may be someone else's. Commit with {@link Reservation#commit()} when filled.
     *
     * @param reservation a reservation that was not given back
     * @return a new segment of {@link Reservation#size()} bytes
     * @throws NullPointerException  if {@code reservation} is null
     * @throws IllegalStateException if the reservation was given back
     */
    public static MemorySegment ofReservation(Reservation reservation) {
        Objects.requireNonNull(reservation, "reservation");
        // onUnreserve throws if it was given back meanwhile
        return viewUntil(reservation.writableAddress(), reservation.size(), reservation::onUnreserve);
    }

    /**
     * A segment of size bytes at address whose scope ends when the owner runs the action handed to
     * whenGone (which may throw at once if the owner is gone already).
     */
    private static MemorySegment viewUntil(long address, long size, java.util.function.Consumer<Runnable> whenGone) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment view = MemorySegment.ofAddress(address).reinterpret(size, arena, null);
            whenGone.accept(arena::close);
            return view;
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * As {@link Buffers#write(BufferSearchSettings, byte[])}, from a segment (heap or native).
     *
     * @param settings where the bytes may lie
     * @param data     the bytes to place, 1 to 4 GiB - 1 of them
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException      if an argument is null
     * @throws IllegalArgumentException  if {@code data} is empty or 4 GiB or more
     * @throws IllegalStateException     if {@code data}'s scope is closed or not accessible here
     * @throws BufferAllocationException if no buffer exists or can be made inside the range
     */
    public static long write(BufferSearchSettings settings, MemorySegment data) {
        return write(settings, data, false, "data");
    }

    /**
     * As {@link Buffers#writeCode(BufferSearchSettings, byte[])}, from a segment (heap or native).
     *
     * @param settings where the code may lie
     * @param code     the instructions, 1 to 4 GiB - 1 bytes
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException      if an argument is null
     * @throws IllegalArgumentException  if {@code code} is empty or 4 GiB or more
     * @throws IllegalStateException     if {@code code}'s scope is closed or not accessible here
     * @throws BufferAllocationException if no buffer exists or can be made inside the range
     */
    public static long writeCode(BufferSearchSettings settings, MemorySegment code) {
        return write(settings, code, true, "code");
    }

    /**
     * As {@link Buffer#append(byte[])}, from a segment (heap or native).
     *
     * @param buffer the locked buffer
     * @param data   the bytes to copy
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code data} is longer than {@link Buffer#bytesLeft()}
     * @throws IllegalStateException    if the buffer is closed, or {@code data}'s scope is
     */
    public static long append(Buffer buffer, MemorySegment data) {
        return append(buffer, data, false);
    }

    /**
     * As {@link Buffer#appendCode(byte[])}, from a segment (heap or native).
     *
     * @param buffer the locked buffer
     * @param code   the instructions
     * @return the address the first byte was written at (unsigned)
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if {@code code} is longer than {@link Buffer#bytesLeft()}
     * @throws IllegalStateException    if the buffer is closed, or {@code code}'s scope is
     */
    public static long appendCode(Buffer buffer, MemorySegment code) {
        return append(buffer, code, true);
    }

    private static long write(BufferSearchSettings settings, MemorySegment data, boolean code, String name) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(data, name);
        long length = data.byteSize();
        if (length == 0 || length > MAX_SIZE) {
            throw new IllegalArgumentException(name + " must hold 1 to " + MAX_SIZE + " bytes, held " + length);
        }
        if (!Downcalls.SUPPORTED) {
            byte[] copy = data.toArray(ValueLayout.JAVA_BYTE);
            return code ? Buffers.writeCode(settings, copy) : Buffers.write(settings, copy);
        }
        long size = Math.max(Integer.toUnsignedLong(settings.size()), length);
        return Downcalls.write(settings.minAddress(), settings.maxAddress(), size, data, code);
    }

    private static long append(Buffer buffer, MemorySegment data, boolean code) {
        Objects.requireNonNull(buffer, "buffer");
        Objects.requireNonNull(data, code ? "code" : "data");
        if (!Downcalls.SUPPORTED) {
            byte[] copy = data.toArray(ValueLayout.JAVA_BYTE);
            return code ? buffer.appendCode(copy) : buffer.append(copy);
        }
        return buffer.appendWith(data.byteSize(), handle -> Downcalls.append(handle, data, code));
    }
}
