package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The fast path of Buffers.write in Java (the window's hint read through direct buffers, JDK 17 and
 * 22+): it serves a window whose buffer is free, writes exactly the bytes, and stands aside (0,
 * nothing written) when the buffer is held or too full, leaving those cases to the native calls.
 */
class WindowWritesTest {
    private static final int SIZE = 64 << 10;
    /** Whether this JVM reads the hint: 64-bit ones (on 32-bit the library hands out none, windowHint). */
    private static final boolean HINTED = "64".equals(System.getProperty("sun.arch.data.model"));
    private static final String NO_HINT = "a 32-bit JVM has no hint to read: every write takes the call";

    /** A fresh buffer of its own window, served once through Buffers.write so the hint names it. */
    private static BufferSearchSettings window() {
        long base;
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(SIZE))) {
            base = b.baseAddress() + b.position();
        }
        // max is the buffer's last byte: a window one byte shorter shares its hint slot (the library
        // hashes the bits from 5 up) and must be refused by the inside-the-window check alone.
        BufferSearchSettings window = new BufferSearchSettings(base, base + SIZE - 1, 1);
        Buffers.write(window, new byte[] {1});
        return window;
    }

    @Test
    void aFreeBufferIsWrittenWithoutANativeCall() {
        assumeTrue(HINTED, NO_HINT);
        BufferSearchSettings w = window();
        byte[] data = {(byte) 0xF0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) 0x9C, 17};
        long at = WindowWrites.tryWrite(w.minAddress(), w.maxAddress(), data.length, data);
        assertEquals(w.minAddress() + 1, at, "right after the first byte");
        byte[] back = new byte[data.length];
        Buffers.read(at, back);
        assertArrayEquals(data, back);
        assertEquals(at + data.length, Buffers.write(w, new byte[] {7}), "the position moved past the bytes");
    }

    @Test
    void aHeldOrFullBufferIsLeftToTheNativeCalls() {
        assumeTrue(HINTED, NO_HINT);
        BufferSearchSettings w = window();
        long next;
        try (Buffer held = Buffers.getBuffer(w)) {
            next = held.baseAddress() + held.position();
            assertEquals(0, WindowWrites.tryWrite(w.minAddress(), w.maxAddress(), 1, new byte[] {9}), "held");
        }
        assertEquals(0, WindowWrites.tryWrite(w.minAddress(), w.maxAddress(), SIZE, new byte[] {9}), "no room");
        // A window the buffer sticks out of, with the same hint: the hint's buffer is not inside it.
        assertEquals(0, WindowWrites.tryWrite(w.minAddress(), w.maxAddress() - 1, 1, new byte[] {9}), "outside");
        assertNotEquals(0, WindowWrites.tryWrite(w.minAddress(), w.maxAddress(), 1, new byte[] {9}));
        byte[] back = new byte[1];
        Buffers.read(next, back);
        assertEquals(9, back[0], "only the last try wrote, at the position the refused ones left alone");
    }

    @Test
    void aThirtyTwoBitJvmAlwaysLeavesTheWriteToTheCall() {
        assumeFalse(HINTED, "a 64-bit JVM reads the hint (the tests above)");
        BufferSearchSettings w = window();
        long next = Buffers.write(w, new byte[] {5}) + 1;
        assertEquals(0, WindowWrites.tryWrite(w.minAddress(), w.maxAddress(), 1, new byte[] {9}));
        assertEquals(next, Buffers.write(w, new byte[] {7}), "nothing was written by the refused try");
    }
}
