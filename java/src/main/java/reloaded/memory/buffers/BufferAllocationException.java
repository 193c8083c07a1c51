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
        super(message + " [min " + Addresses.hex(minAddress) + ", max " + Addresses.hex(maxAddress)
                + ", size " + size + "]");
        this.minAddress = minAddress;
        this.maxAddress = maxAddress;
        this.size = size;
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
