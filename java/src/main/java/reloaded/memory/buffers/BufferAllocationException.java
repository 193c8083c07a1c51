package reloaded.memory.buffers;

/**
 * Thrown when no memory could be found or reserved for a request: nothing fits in
 * [{@link #minAddress()}, {@link #maxAddress()}], the shared locator could not be used, or the
 * operating system refused memory. The message names the C library's status and its description.
 */
public class BufferAllocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The lowest address the request accepted (unsigned). */
    private final long minAddress;
    /** The highest address the request accepted (unsigned). */
    private final long maxAddress;
    /** The number of bytes the request needed. */
    private final long size;

    /**
     * Creates the exception for one failed request.
     *
     * @param message    what went wrong
     * @param minAddress the lowest acceptable address of the request (unsigned)
     * @param maxAddress the highest acceptable address of the request (unsigned)
     * @param size       the number of bytes requested
     */
    public BufferAllocationException(String message, long minAddress, long maxAddress, long size) {
        this(message + " [min " + Addresses.hex(minAddress) + ", max " + Addresses.hex(maxAddress)
                + ", size " + size + "]", minAddress, maxAddress, size, true);
    }

    /** The message as given: for failures the request's range did not cause (the locator). */
    private BufferAllocationException(String message, long minAddress, long maxAddress, long size, boolean asGiven) {
        super(message);
        this.minAddress = minAddress;
        this.maxAddress = maxAddress;
        this.size = size;
    }

    /** A failure of the shared locator, not of the range: the message carries no range suffix. */
    static BufferAllocationException ofLocator(String message, long minAddress, long maxAddress, long size) {
        return new BufferAllocationException(message, minAddress, maxAddress, size, true);
    }

    /**
     * The lowest address the failed request accepted.
     *
     * @return the address, unsigned
     */
    public long minAddress() {
        return minAddress;
    }

    /**
     * The highest address the failed request accepted.
     *
     * @return the address, unsigned
     */
    public long maxAddress() {
        return maxAddress;
    }

    /**
     * The number of bytes the failed request needed.
     *
     * @return the size in bytes
     */
    public long size() {
        return size;
    }
}
