package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The JNI route of Buffers.write on every JDK: arrays up to 32 bytes travel as four words, longer
 * ones as the array. Every length around the word and route boundaries lands byte for byte, and the
 * words' native refuses what the Java side would never send.
 */
class JniWritesTest {
    @Test
    void everyLengthAroundTheWordsLandsExactly() {
        BufferSearchSettings anywhere = BufferSearchSettings.defaults().withSize(1);
        for (int length = 1; length <= JniWrites.WORDS_MAX + 9; length++) {
            byte[] data = new byte[length];
            for (int i = 0; i < length; i++) {
                data[i] = (byte) (0x80 + 7 * i + length); // high bits set: a sign extension would show
            }
            long at = JniWrites.write(anywhere.minAddress(), anywhere.maxAddress(), anywhere.size(), data, false);
            byte[] back = new byte[length];
            Buffers.read(at, back);
            assertArrayEquals(data, back, "length " + length);
        }
    }

    @Test
    void everyAppendAroundTheWordsLandsExactlyFromAnOffset() {
        byte[] source = new byte[JniWrites.WORDS_MAX + 20];
        for (int i = 0; i < source.length; i++) {
            source[i] = (byte) (0x80 + 13 * i);
        }
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(2048))) {
            for (int length = 1; length <= JniWrites.WORDS_MAX + 9; length++) {
                long at = b.append(source, 3, length);
                byte[] back = new byte[length];
                Buffers.read(at, back);
                assertArrayEquals(java.util.Arrays.copyOfRange(source, 3, 3 + length), back, "length " + length);
            }
        }
    }

    @Test
    void theWordsNativeRefusesLengthsItCannotHold() {
        for (int length : new int[] {0, -1, JniWrites.WORDS_MAX + 1}) {
            long result = NativeBuffers.appendWords(1, 1, 2, 3, 4, length, false);
            assertTrue(result < 0, "append length " + length);
            assertEquals(Status.INVALID_ARGUMENT, (int) -result, NativeBuffers.lastError());
        }
        assertEquals(Status.INVALID_ARGUMENT, (int) -NativeBuffers.appendWords(0, 1, 2, 3, 4, 8, false));
        for (int length : new int[] {0, -1, JniWrites.WORDS_MAX + 1}) {
            long result = NativeBuffers.writeWords(0, -1L, 1, 1, 2, 3, 4, length, false);
            assertTrue(result < 0, "length " + length);
            assertEquals(Status.INVALID_ARGUMENT, (int) -result, NativeBuffers.lastError());
        }
        assertThrows(IllegalArgumentException.class,
                () -> Status.check(NativeBuffers.writeWords(0, -1L, 0, 1, 2, 3, 4, 8, false), 0, -1L, 0));
    }
}
