package reloaded.memory.buffers;

/**
 * One buffer as registered in this process's shared locator, at the moment it was listed.
 *
 * @param baseAddress    the buffer's first byte (unsigned)
 * @param size           the buffer's size in bytes
 * @param position       the number of bytes already handed out
 * @param taken          whether a user held the buffer's lock
 * @param locatorAddress the 4096-byte locator block the buffer is registered in (unsigned)
 */
public record BufferInfo(long baseAddress, long size, long position, boolean taken, long locatorAddress) {

    /**
     * The number of bytes still free.
     *
     * @return size minus position
     */
    public long bytesLeft() {
        return size - position;
    }
}
