package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a hooking library uses: reach settings (compared on random inputs with a model of the exact
 * arithmetic, in unbounded integers) and reserve, write, commit, unreserve.
 */
class HookingTest {
    private static final boolean ADDRESSES_32 = "32".equals(System.getProperty("sun.arch.data.model"));
    private static final BigInteger TOP = ADDRESSES_32 ? BigInteger.valueOf(0xFFFF_FFFFL)
            : BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final BigInteger TWO_31 = BigInteger.ONE.shiftLeft(31);

    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }

    private static BigInteger clamp(BigInteger value) {
        return value.signum() < 0 ? BigInteger.ZERO : value.min(TOP);
    }

    /** Addresses near 0, near 2^31 and near the top, and anywhere. */
    private static long address(Random random) {
        long offset = random.nextInt(0x1000);
        switch (random.nextInt(5)) {
            case 0: return offset;
            case 1: return ADDRESSES_32 ? 0xFFFF_FFFFL - offset : -1L - offset;
            case 2: return 0x7FFF_FFF0L + random.nextInt(0x40);
            case 3: return random.nextLong() & 0xFFFF_FFFFL;
            default: return ADDRESSES_32 ? random.nextLong() & 0xFFFF_FFFFL : random.nextLong();
        }
    }

    @Test
    void rel32MatchesTheExactArithmetic() {
        Random random = new Random(17);
        for (int round = 0; round < 5000; round++) {
            long jump = address(random);
            int size = 1 + random.nextInt(4096);
            BufferSearchSettings s = BufferSearchSettings.rel32(jump, size);
            BigInteger end = unsigned(jump).add(BigInteger.valueOf(5));
            BigInteger min = ADDRESSES_32 ? BigInteger.ZERO : clamp(end.subtract(TWO_31));
            BigInteger max = ADDRESSES_32 ? TOP : clamp(end.add(TWO_31).subtract(BigInteger.ONE));
            String where = "jump " + Addresses.hex(jump);
            assertEquals(min, unsigned(s.minAddress()), where);
            assertEquals(max, unsigned(s.maxAddress()), where);
            assertEquals(size, s.size());
        }
    }

    @Test
    void withinMatchesTheIntersection() {
        Random random = new Random(3);
        int windows = 0;
        int refusals = 0;
        for (int round = 0; round < 5000; round++) {
            long center = address(random);
            long distance = random.nextBoolean() ? random.nextInt(0x10000) : random.nextLong() & 0xFFFF_FFFFL;
            long[] targets = new long[1 + random.nextInt(6)];
            for (int i = 0; i < targets.length; i++) {
                long t = center + (random.nextLong() & (random.nextBoolean() ? 0xFFFFL : 0x1_FFFF_FFFFL));
                targets[i] = ADDRESSES_32 ? t & 0xFFFF_FFFFL : t;
            }
            int size = 1 + random.nextInt(4096);
            BigInteger low = TOP;
            BigInteger high = BigInteger.ZERO;
            for (long t : targets) {
                low = low.min(unsigned(t));
                high = high.max(unsigned(t));
            }
            BigInteger d = unsigned(distance);
            BigInteger min = clamp(high.subtract(d));
            BigInteger max = clamp(low.add(d));
            boolean fits = min.compareTo(max) <= 0 && max.subtract(min).add(BigInteger.ONE).compareTo(
                    BigInteger.valueOf(size)) >= 0;
            if (fits) {
                windows++;
                BufferSearchSettings s = BufferSearchSettings.within(distance, size, targets);
                assertEquals(min, unsigned(s.minAddress()));
                assertEquals(max, unsigned(s.maxAddress()));
            } else {
                refusals++;
                assertThrows(BufferAllocationException.class, () -> BufferSearchSettings.within(distance, size, targets));
            }
        }
        assertTrue(windows > 500 && refusals > 500, windows + " windows, " + refusals + " refusals");
    }

    @Test
    void withinNamesTheFarthestTargetsAndRefusesBadArguments() {
        BufferAllocationException far = assertThrows(BufferAllocationException.class,
                () -> BufferSearchSettings.within(0x1000_0000L, 64, 0x5000_0000L, 0x1000_0000L, 0x9000_0000L));
        assertTrue(far.getMessage().contains("BUFFERS_ERROR_NO_SPACE"), far.getMessage());
        assertTrue(far.getMessage().contains("0x10000000 (index 1)"), far.getMessage());
        assertTrue(far.getMessage().contains("0x90000000 (index 2)"), far.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BufferSearchSettings.within(1, 64));
        assertThrows(IllegalArgumentException.class, () -> BufferSearchSettings.within(1, 0, 0x1000));
        assertThrows(NullPointerException.class, () -> BufferSearchSettings.within(1, 64, (long[]) null));
        assertThrows(IllegalArgumentException.class, () -> BufferSearchSettings.rel32(0x1000, 0));
    }

    @Test
    void reserveWriteCommitAndGiveBack() {
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(256))) {
            long next = buffer.baseAddress() + buffer.position();
            long position = buffer.position();
            Reservation first = buffer.reserve(16);
            assertEquals(next, first.address());
            assertEquals(first.address(), first.writableAddress());
            assertEquals(position + 16, buffer.position());
            byte[] code = {(byte) 0xB8, 42, 0, 0, 0, (byte) 0xC3};
            first.write(2, code);
            assertThrows(IndexOutOfBoundsException.class, () -> first.write(12, code));
            assertThrows(IndexOutOfBoundsException.class, () -> first.write(-1, code));
            first.commit();
            byte[] back = new byte[code.length];
            Status.check(NativeBuffers.read(first.address() + 2, back, 0, back.length), 0, 0, 0);
            assertArrayEquals(code, back);

            Reservation second = buffer.reserve(32);
            assertThrows(IllegalArgumentException.class, first::unreserve, "only the last one");
            second.unreserve();
            assertEquals(position + 16, buffer.position());
            assertThrows(IllegalStateException.class, () -> second.write(0, code), "given back");
            assertThrows(IllegalStateException.class, second::unreserve);
            assertThrows(IllegalArgumentException.class, () -> buffer.reserve(0));
            assertThrows(IllegalArgumentException.class, () -> buffer.reserve((int) buffer.bytesLeft() + 1));
            assertEquals(position + 16, buffer.position(), "a refused reserve moves nothing");

            Reservation kept = buffer.reserve(8);
            buffer.close();
            assertThrows(IllegalStateException.class, kept::unreserve, "permanent once the buffer is closed");
            kept.write(0, new byte[] {1, 2, 3});   // still the owner's: write and commit after close
            kept.commit();
            assertThrows(IllegalStateException.class, () -> buffer.reserve(8));
        }
    }
}
