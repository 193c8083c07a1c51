package reloaded.memory.buffers.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** write's argument parsing and window arithmetic (pure). */
class WriteArgumentsTest {
    @Test
    void hexBytesTakeGroupsOfPairsInEitherCase() throws Exception {
        byte[] expected = {(byte) 0x90, (byte) 0x90, (byte) 0xC3};
        assertArrayEquals(expected, WriteArguments.hexBytes("90 90 c3"));
        assertArrayEquals(expected, WriteArguments.hexBytes("9090C3"));
        assertArrayEquals(expected, WriteArguments.hexBytes(" 9090\tc3 "));
        assertArrayEquals(new byte[] {0x0A, (byte) 0xFF}, WriteArguments.hexBytes("0aFf"));
    }

    @Test
    void hexBytesRefuseOddGroupsNonAsciiDigitsAndNothing() {
        for (String bad : new String[] {"9 090", "909", "", "   ", "0x90", "g0", "\u0660\u0661", "\uff10\uff11", "90-90"}) {
            assertThrows(Options.UsageException.class, () -> WriteArguments.hexBytes(bad), bad);
        }
    }

    @Test
    void addressesAreHexWith0xOrDecimalAndUnsigned() throws Exception {
        assertEquals(0x7f00L, WriteArguments.unsigned("--near", "0x7f00"));
        assertEquals(0x7f00L, WriteArguments.unsigned("--near", "0X7F00"));
        assertEquals(32512L, WriteArguments.unsigned("--near", "32512"));
        assertEquals(-1L, WriteArguments.unsigned("--near", "0xffffffffffffffff"));
        for (String bad : new String[] {"0x", "", "-1", "+1", "0x10000000000000000", "18446744073709551616", "1e3"}) {
            assertThrows(Options.UsageException.class, () -> WriteArguments.unsigned("--near", bad), bad);
        }
    }

    @Test
    void theWindowSaturatesAtZeroAndAtTheHighestAddress() {
        long max = 0x7FFF_FFFF_EFFFL;
        assertEquals(0, WriteArguments.windowMin(0x1000, 0x7FFFFFFFL));
        assertEquals(0x1000 - 0x10, WriteArguments.windowMin(0x1000, 0x10));
        assertEquals(0x1010, WriteArguments.windowMax(0x1000, 0x10, max));
        assertEquals(max, WriteArguments.windowMax(max - 5, 0x7FFFFFFFL, max));
        assertEquals(max, WriteArguments.windowMax(-2L, 0x10, max), "overflow saturates");
        assertEquals(max, WriteArguments.windowMax(0x1000, -1L, max));
    }
}
