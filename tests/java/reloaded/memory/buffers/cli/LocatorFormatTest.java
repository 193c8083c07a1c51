package reloaded.memory.buffers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The locator layout of SPEC.md, both pointer widths. */
class LocatorFormatTest {
    @Test
    void parses64BitLocators() {
        byte[] block = LocatorFixture.block(8, 0x7f0000001000L, 0x7f0000002000L,
                new long[] {0x10000000L, 1, 4096, 100}, new long[] {0x7fff00000000L, 0, 16384, 16384});
        LocatorFormat.Locator l = LocatorFormat.parse(block, 8);
        assertEquals(0x7f0000001000L, l.thisAddress());
        assertEquals(0x7f0000002000L, l.nextAddress());
        assertEquals(2, l.items().size());
        assertEquals(new LocatorFormat.Item(0x10000000L, true, 4096, 100), l.items().get(0));
        assertEquals(new LocatorFormat.Item(0x7fff00000000L, false, 16384, 16384), l.items().get(1));
        assertEquals(16484, l.bytesUsed());
        assertEquals(3996, l.bytesFree());
        assertEquals(1, l.takenCount());
        assertFalse(l.locked());
        assertEquals(203, LocatorFormat.maxItems(8));
    }

    @Test
    void parses32BitLocators() {
        byte[] block = LocatorFixture.block(4, 0xF7001000L, 0, new long[] {0x10000000L, 0, 4096, 5});
        LocatorFormat.Locator l = LocatorFormat.parse(block, 4);
        assertEquals(0xF7001000L, l.thisAddress());
        assertEquals(new LocatorFormat.Item(0x10000000L, false, 4096, 5), l.items().get(0));
        assertEquals(255, LocatorFormat.maxItems(4));
        assertEquals(4, LocatorFormat.parseGuessingWidth(block).pointerSize(), "a 32-bit block is recognised");
        byte[] block64 = LocatorFixture.block(8, 0x7f0000001000L, 0, new long[] {0x10000000L, 0, 4096, 5});
        assertEquals(8, LocatorFormat.parseGuessingWidth(block64).pointerSize());
    }

    @Test
    void rejectsWhatIsNotALocator() {
        assertThrows(IllegalArgumentException.class, () -> LocatorFormat.parse(new byte[100], 8));
        assertThrows(IllegalArgumentException.class, () -> LocatorFormat.parse(new byte[4096], 2));
        byte[] version1 = LocatorFixture.block(8, 0x1000, 0);
        version1[20] = 1;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LocatorFormat.parse(version1, 8))
                .getMessage().contains("version"));
        byte[] tooMany = LocatorFixture.block(8, 0x1000, 0);
        tooMany[21] = (byte) 204;
        assertThrows(IllegalArgumentException.class, () -> LocatorFormat.parse(tooMany, 8));
        byte[] garbage = new byte[4096];
        java.util.Arrays.fill(garbage, (byte) 0x77);
        assertThrows(IllegalArgumentException.class, () -> LocatorFormat.parseGuessingWidth(garbage));
    }

    @Test
    void fileNamesGiveProcessIds() {
        assertEquals(1234, LocatorFiles.pidOf("Reloaded.Memory.Buffers.MemoryBuffer, PID 1234"));
        assertEquals(null, LocatorFiles.pidOf("Reloaded.Memory.Buffers.MemoryBuffer, PID "));
        assertEquals(null, LocatorFiles.pidOf("Reloaded.Memory.Buffers.MemoryBuffer, PID 12a"));
        assertEquals(null, LocatorFiles.pidOf("Reloaded.Memory.Buffers.MemoryBuffer, PID 99999999999"));
        assertEquals(null, LocatorFiles.pidOf("something else"));
    }
}
