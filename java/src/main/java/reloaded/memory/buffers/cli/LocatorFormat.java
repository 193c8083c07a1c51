package reloaded.memory.buffers.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Parses a 4096-byte locator block (SPEC.md "The shared locator", format version 0): a header
 * followed by items, little-endian, pointer width 8 (64-bit process) or 4 (32-bit process).
 */
final class LocatorFormat {
    static final int BLOCK_SIZE = 4096;

    /** One registered buffer. */
    record Item(long baseAddress, boolean taken, long size, long position) {
        long bytesFree() {
            return Math.max(0, size - position);
        }
    }

    /** A parsed locator block. */
    record Locator(int pointerSize, long thisAddress, long nextAddress, boolean locked, int version,
                   List<Item> items) {
        long bytesUsed() {
            return items.stream().mapToLong(Item::position).sum();
        }

        long bytesFree() {
            return items.stream().mapToLong(Item::bytesFree).sum();
        }

        long takenCount() {
            return items.stream().filter(Item::taken).count();
        }
    }

    private LocatorFormat() {
    }

    static int headerSize(int pointerSize) {
        return pointerSize == 8 ? 24 : 16;
    }

    static int itemSize(int pointerSize) {
        return pointerSize == 8 ? 20 : 16;
    }

    static int maxItems(int pointerSize) {
        return (BLOCK_SIZE - headerSize(pointerSize)) / itemSize(pointerSize);
    }

    /**
     * Parses a block with a known pointer width (8 or 4).
     *
     * @throws IllegalArgumentException if the block is short or its header is not a version-0 locator
     */
    static Locator parse(byte[] block, int pointerSize) {
        if (pointerSize != 8 && pointerSize != 4) {
            throw new IllegalArgumentException("pointer size must be 8 or 4, was " + pointerSize);
        }
        if (block.length < BLOCK_SIZE) {
            throw new IllegalArgumentException("a locator is " + BLOCK_SIZE + " bytes, got " + block.length);
        }
        ByteBuffer b = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        int p = pointerSize;
        long thisAddress = pointer(b, 0, p);
        long next = pointer(b, p, p);
        int lock = b.getInt(2 * p);
        int flags = b.get(2 * p + 4) & 0xFF;
        int count = b.get(2 * p + 5) & 0xFF;
        if ((flags & 0x7) != 0) {
            throw new IllegalArgumentException("unknown locator format version " + (flags & 0x7));
        }
        if (count > maxItems(p)) {
            throw new IllegalArgumentException("item count " + count + " exceeds the maximum " + maxItems(p));
        }
        if (lock != 0 && lock != 1) {
            throw new IllegalArgumentException("lock field is " + lock + ", not 0 or 1");
        }
        List<Item> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = headerSize(p) + i * itemSize(p);
            long base = pointer(b, at, p);
            int taken = b.getInt(at + p);
            long size = Integer.toUnsignedLong(b.getInt(at + p + 4));
            long position = Integer.toUnsignedLong(b.getInt(at + p + 8));
            items.add(new Item(base, taken != 0, size, position));
        }
        return new Locator(p, thisAddress, next, lock != 0, flags & 0x7, Collections.unmodifiableList(items));
    }

    /**
     * Parses a block whose pointer width is unknown: 64-bit first, then 32-bit.
     *
     * @throws IllegalArgumentException if neither layout fits
     */
    static Locator parseGuessingWidth(byte[] block) {
        try {
            return parse(block, 8);
        } catch (IllegalArgumentException as64) {
            try {
                return parse(block, 4);
            } catch (IllegalArgumentException as32) {
                throw new IllegalArgumentException("not a locator: as 64-bit, " + as64.getMessage()
                        + "; as 32-bit, " + as32.getMessage());
            }
        }
    }

    private static long pointer(ByteBuffer b, int offset, int pointerSize) {
        return pointerSize == 8 ? b.getLong(offset) : Integer.toUnsignedLong(b.getInt(offset));
    }
}
