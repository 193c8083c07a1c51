package reloaded.memory.buffers;

/**
 * Where private memory may be reserved: {@code [base, base + size)} lies inside
 * {@code [minAddress, maxAddress]}. Immutable; change a field with the {@code with...} methods.
 * Addresses are unsigned ({@link Long#compareUnsigned}).
 */
public final class BufferAllocatorSettings {
    private final long minAddress;
    private final long maxAddress;
    private final int size;
    private final int targetProcessId;
    private final int retryCount;
    private final boolean bruteForce;

    private BufferAllocatorSettings(long minAddress, long maxAddress, int size, int targetProcessId,
                                    int retryCount, boolean bruteForce) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
        if (Long.compareUnsigned(minAddress, maxAddress) > 0) {
            throw new IllegalArgumentException("minAddress " + Addresses.hex(minAddress)
                    + " is above maxAddress " + Addresses.hex(maxAddress));
        }
        if (targetProcessId < 0) {
            throw new IllegalArgumentException("targetProcessId must be 0 (this process) or a process id, was "
                    + targetProcessId);
        }
        if (retryCount < 1) {
            throw new IllegalArgumentException("retryCount must be at least 1, was " + retryCount);
        }
        this.minAddress = minAddress;
        this.maxAddress = maxAddress;
        this.size = size;
        this.targetProcessId = targetProcessId;
        this.retryCount = retryCount;
        this.bruteForce = bruteForce;
    }

    /**
     * Anywhere in the address space: min 0, max {@link Buffers#maxAddress()}, 4096 bytes, this
     * process, 8 retries, brute force on.
     *
     * @return the default settings
     */
    public static BufferAllocatorSettings defaults() {
        return new BufferAllocatorSettings(0, Buffers.maxAddress(), 4096, 0, 8, true);
    }

    /**
     * Within {@code proximity} bytes of {@code target}, as
     * {@link BufferSearchSettings#fromProximity(long, long, int)}; other fields as {@link #defaults()}.
     *
     * @param proximity the largest distance from target (unsigned)
     * @param target    the address to stay near (unsigned)
     * @param size      the number of bytes to reserve, at least 1
     * @return the settings
     * @throws IllegalArgumentException if {@code size} is not positive
     */
    public static BufferAllocatorSettings fromProximity(long proximity, long target, int size) {
        return new BufferAllocatorSettings(Addresses.saturatingSub(target, proximity),
                Addresses.saturatingAdd(target, proximity), size, 0, 8, true);
    }

    /**
     * These settings with another range.
     *
     * @param newMinAddress the lowest acceptable address (unsigned)
     * @param newMaxAddress the highest acceptable address (unsigned), not below the minimum
     * @return new settings
     * @throws IllegalArgumentException if the minimum is above the maximum
     */
    public BufferAllocatorSettings withRange(long newMinAddress, long newMaxAddress) {
        return new BufferAllocatorSettings(newMinAddress, newMaxAddress, size, targetProcessId, retryCount, bruteForce);
    }

    /**
     * These settings with another size.
     *
     * @param newSize the number of bytes to reserve, at least 1 (rounded up to the allocation granularity)
     * @return new settings
     * @throws IllegalArgumentException if {@code newSize} is not positive
     */
    public BufferAllocatorSettings withSize(int newSize) {
        return new BufferAllocatorSettings(minAddress, maxAddress, newSize, targetProcessId, retryCount, bruteForce);
    }

    /**
     * These settings for another process (Windows only; elsewhere allocation then fails with
     * {@link UnsupportedOperationException}).
     *
     * @param newTargetProcessId 0 or this process's id for this process, else another process's id
     * @return new settings
     * @throws IllegalArgumentException if the id is negative
     */
    public BufferAllocatorSettings withTargetProcessId(int newTargetProcessId) {
        return new BufferAllocatorSettings(minAddress, maxAddress, size, newTargetProcessId, retryCount, bruteForce);
    }

    /**
     * These settings with another number of full searches before giving up.
     *
     * @param newRetryCount at least 1
     * @return new settings
     * @throws IllegalArgumentException if the count is below 1
     */
    public BufferAllocatorSettings withRetryCount(int newRetryCount) {
        return new BufferAllocatorSettings(minAddress, maxAddress, size, targetProcessId, newRetryCount, bruteForce);
    }

    /**
     * These settings with the brute-force pass (Windows only) switched on or off.
     *
     * @param newBruteForce whether to try every allocation granule
     * @return new settings
     */
    public BufferAllocatorSettings withBruteForce(boolean newBruteForce) {
        return new BufferAllocatorSettings(minAddress, maxAddress, size, targetProcessId, retryCount, newBruteForce);
    }

    /**
     * The lowest acceptable address.
     *
     * @return the address, unsigned
     */
    public long minAddress() {
        return minAddress;
    }

    /**
     * The highest acceptable address.
     *
     * @return the address, unsigned
     */
    public long maxAddress() {
        return maxAddress;
    }

    /**
     * The number of bytes to reserve before rounding.
     *
     * @return the size in bytes
     */
    public int size() {
        return size;
    }

    /**
     * The process to allocate in; 0 means this process.
     *
     * @return the process id
     */
    public int targetProcessId() {
        return targetProcessId;
    }

    /**
     * How many full searches are made before giving up.
     *
     * @return at least 1
     */
    public int retryCount() {
        return retryCount;
    }

    /**
     * Whether the brute-force pass over every granule is made (Windows only).
     *
     * @return the flag
     */
    public boolean bruteForce() {
        return bruteForce;
    }

    /**
     * The settings with unsigned hexadecimal addresses.
     *
     * @return a readable description
     */
    @Override
    public String toString() {
        return "BufferAllocatorSettings[min " + Addresses.hex(minAddress) + ", max " + Addresses.hex(maxAddress)
                + ", size " + size + ", targetProcessId " + targetProcessId + ", retryCount " + retryCount
                + ", bruteForce " + bruteForce + "]";
    }

    /**
     * Settings are equal when every field is.
     *
     * @param other the object to compare with
     * @return whether the two hold the same values
     */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof BufferAllocatorSettings)) {
            return false;
        }
        BufferAllocatorSettings o = (BufferAllocatorSettings) other;
        return minAddress == o.minAddress && maxAddress == o.maxAddress && size == o.size
                && targetProcessId == o.targetProcessId && retryCount == o.retryCount && bruteForce == o.bruteForce;
    }

    /**
     * A hash of every field.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return java.util.Objects.hash(minAddress, maxAddress, size, targetProcessId, retryCount, bruteForce);
    }
}
