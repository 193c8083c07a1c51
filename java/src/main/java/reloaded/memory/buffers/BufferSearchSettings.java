package reloaded.memory.buffers;

/**
 * Where a shared buffer may come from. A buffer qualifies when its free part starts at or above
 * {@code minAddress}, the whole buffer ends at or below {@code maxAddress}, and at least
 * {@code size} bytes are free. Addresses are unsigned ({@link Long#compareUnsigned}).
 *
 * @param minAddress the lowest acceptable address (unsigned)
 * @param maxAddress the highest acceptable address (unsigned), not below {@code minAddress}
 * @param size       the number of bytes that must be free, at least 1
 */
public record BufferSearchSettings(long minAddress, long maxAddress, int size) {

    /**
     * Checks the settings.
     *
     * @param minAddress the lowest acceptable address (unsigned)
     * @param maxAddress the highest acceptable address (unsigned), not below {@code minAddress}
     * @param size       the number of bytes that must be free, at least 1
     * @throws IllegalArgumentException if {@code size} is not positive or {@code minAddress} is
     *                                  above {@code maxAddress} (unsigned)
     */
    public BufferSearchSettings {
        checkSize(size);
        if (Long.compareUnsigned(minAddress, maxAddress) > 0) {
            throw new IllegalArgumentException("minAddress " + Addresses.hex(minAddress)
                    + " is above maxAddress " + Addresses.hex(maxAddress));
        }
    }

    /**
     * Anywhere in the address space, 4096 bytes.
     *
     * @return min 0, max {@link Buffers#maxAddress()}, size 4096
     */
    public static BufferSearchSettings defaults() {
        return new BufferSearchSettings(0, Buffers.maxAddress(), 4096);
    }

    /**
     * A buffer within {@code proximity} bytes of {@code target}: min = target - proximity (0 if
     * that would go below 0), max = target + proximity (all ones if that would overflow).
     *
     * @param proximity the largest distance from target (unsigned); for a jmp rel32 use {@link #rel32}
     * @param target    the address to stay near (unsigned)
     * @param size      the number of bytes that must be free, at least 1
     * @return the settings
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public static BufferSearchSettings fromProximity(long proximity, long target, int size) {
        return new BufferSearchSettings(Addresses.saturatingSub(target, proximity),
                Addresses.saturatingAdd(target, proximity), size);
    }

    /**
     * A window within {@code distance} bytes of every target (for a trampoline that must reach a
     * hooked function, the rest of it and the operands it moved): the intersection of each
     * target's [target - distance, target + distance], saturated at 0 and at the top of the
     * address space. Computed by the C library ({@code buffers_search_settings_within}).
     *
     * @param distance the largest distance from every target (unsigned)
     * @param size     the number of bytes that must be free, at least 1
     * @param targets  the addresses to stay near (unsigned), at least one
     * @return the settings
     * @throws NullPointerException      if {@code targets} is null
     * @throws IllegalArgumentException  if there are no targets, {@code size} is not positive, or a
     *                                   target lies above this process's address space
     * @throws BufferAllocationException if the targets are too far apart for one window (the
     *                                   message names the two farthest and the distance)
     */
    public static BufferSearchSettings within(long distance, int size, long... targets) {
        java.util.Objects.requireNonNull(targets, "targets");
        if (targets.length == 0) {
            throw new IllegalArgumentException("within needs at least one target");
        }
        checkSize(size);
        long[] window = new long[2];
        long result = NativeBuffers.searchWithin(distance, targets.clone(), size, window);
        if (result < 0) {
            throw Status.toException((int) -result, NativeBuffers.lastError(), 0, -1L, size);
        }
        return new BufferSearchSettings(window[0], window[1], size);
    }

    /**
     * The exact window a 5-byte {@code jmp rel32} at {@code jumpAddress} reaches, every byte of a
     * chunk found with it: [jumpAddress + 5 - 2^31, jumpAddress + 5 + 2^31 - 1], saturated at the
     * ends of the address space; the whole space in a 32-bit process, where the displacement wraps.
     * Computed by the C library ({@code buffers_search_settings_rel32}).
     *
     * @param jumpAddress where the jump instruction starts (unsigned)
     * @param size        the number of bytes that must be free, at least 1
     * @return the settings
     * @throws IllegalArgumentException if {@code size} is not positive or the address lies above
     *                                  this process's address space
     */
    public static BufferSearchSettings rel32(long jumpAddress, int size) {
        checkSize(size);
        long[] window = new long[2];
        Status.check(NativeBuffers.searchRel32(jumpAddress, size, window), jumpAddress, jumpAddress, size);
        return new BufferSearchSettings(window[0], window[1], size);
    }

    private static void checkSize(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
    }

    /**
     * The same range with another size.
     *
     * @param newSize the number of bytes that must be free, at least 1
     * @return new settings
     * @throws IllegalArgumentException if {@code newSize} is not positive
     */
    public BufferSearchSettings withSize(int newSize) {
        return new BufferSearchSettings(minAddress, maxAddress, newSize);
    }

    /**
     * The settings with unsigned hexadecimal addresses.
     *
     * @return a readable description
     */
    @Override
    public String toString() {
        return "BufferSearchSettings[min " + Addresses.hex(minAddress) + ", max "
                + Addresses.hex(maxAddress) + ", size " + size + "]";
    }
}
