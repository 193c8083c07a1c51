package reloaded.memory.buffers;

/** Unsigned address arithmetic and formatting; pure functions. */
final class Addresses {
    private Addresses() {
    }

    /** The address as 0x-prefixed unsigned hexadecimal, 16 digits. */
    static String hex(long address) {
        return String.format("0x%016x", address);
    }

    /** target - proximity, or 0 if that would go below zero (unsigned). */
    static long saturatingSub(long target, long proximity) {
        return Long.compareUnsigned(target, proximity) < 0 ? 0 : target - proximity;
    }

    /** target + proximity, or all ones if that would overflow (unsigned). */
    static long saturatingAdd(long target, long proximity) {
        long sum = target + proximity;
        return Long.compareUnsigned(sum, target) < 0 ? -1L : sum;
    }

    /** Whether [address, address + length) lies inside [base, base + size), all unsigned. */
    static boolean contains(long base, long size, long address, long length) {
        if (Long.compareUnsigned(address, base) < 0) {
            return false;
        }
        long offset = address - base;
        return Long.compareUnsigned(offset, size) <= 0 && Long.compareUnsigned(length, size - offset) <= 0;
    }
}
