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
        if (size <= 0) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
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
     * @param proximity the largest distance from target (unsigned), e.g. 0x7FFFFFFF for a jmp rel32
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
