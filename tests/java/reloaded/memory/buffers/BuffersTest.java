package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Every public method of the API, used as documented. */
class BuffersTest {
    private static final long TWO_GIB = 0x7FFFFFFFL;

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    private static byte[] readBack(long address, int length) {
        byte[] b = new byte[length];
        Buffers.read(address, b);
        return b;
    }

    private static boolean inside(long address, long length, BufferSearchSettings s) {
        return Long.compareUnsigned(address, s.minAddress()) >= 0
                && Long.compareUnsigned(address + length - 1, s.maxAddress()) <= 0;
    }

    @Test
    void machineFacts() {
        int granularity = Buffers.allocationGranularity();
        assertTrue(granularity >= 4096 && Integer.bitCount(granularity) == 1, "granularity " + granularity);
        if (Isolated.is32BitJvm()) {
            // Large address aware: the top of 4 GiB less the pages a 64-bit kernel keeps for itself
            // (one under arm64, two under x86-64: docs/platforms.md), not 2 or 3 GiB.
            long max = Buffers.maxAddress();
            assertTrue(max >= 0xFFFFDFFFL && max <= 0xFFFFFFFFL && (max & 0xFFF) == 0xFFF,
                    "a 32-bit process under a 64-bit kernel may use nearly all 4 GiB: " + Long.toHexString(max));
        } else {
            assertTrue(Long.compareUnsigned(Buffers.maxAddress(), 0xFFFFFFFFL) > 0, "64-bit user space");
        }
        assertTrue(Buffers.version().matches("\\d+\\.\\d+\\.\\d+"), Buffers.version());
    }

    @Test
    void getBufferAppendsInsideTheRange() {
        BufferSearchSettings low = new BufferSearchSettings(0, TWO_GIB, 100);
        byte[] data = pattern(100, 1);
        try (Buffer buffer = Buffers.getBuffer(low)) {
            assertTrue(buffer.isOpen());
            long base = buffer.baseAddress();
            long before = buffer.position();
            assertEquals(buffer.size() - before, buffer.bytesLeft());
            assertTrue(buffer.bytesLeft() >= 100);
            long at = buffer.append(data);
            assertEquals(base + before, at, "appends go to base + position");
            assertEquals(before + 100, buffer.position());
            assertTrue(inside(at, 100, low), Long.toHexString(at));
            assertArrayEquals(data, readBack(at, 100));
        }
    }

    @Test
    void appendOverloadsCopyTheRightBytes() {
        byte[] data = pattern(64, 2);
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(1024))) {
            long a = buffer.append(data, 8, 16);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 8, 24), readBack(a, 16));

            ByteBuffer heap = ByteBuffer.wrap(data, 4, 10);
            long b = buffer.append(heap);
            assertEquals(a + 16, b);
            assertEquals(14, heap.position(), "position moves to the limit");
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 4, 14), readBack(b, 10));

            ByteBuffer direct = ByteBuffer.allocateDirect(32).put(pattern(32, 3));
            direct.flip().position(2);
            long c = buffer.append(direct);
            assertEquals(32, direct.position());
            assertArrayEquals(java.util.Arrays.copyOfRange(pattern(32, 3), 2, 32), readBack(c, 30));

            ByteBuffer readOnly = ByteBuffer.wrap(pattern(8, 4)).asReadOnlyBuffer();
            long d = buffer.append(readOnly);
            assertArrayEquals(pattern(8, 4), readBack(d, 8));

            long e = buffer.append(new byte[0]);
            assertEquals(d + 8, e, "an empty append returns the next address and writes nothing");
            assertEquals(e, buffer.append(data, 3, 0));
        }
    }

    @Test
    void largeAppendUsesThePinnedPath() {
        byte[] data = pattern(3000, 5);
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(3000))) {
            long at = buffer.append(data);
            assertArrayEquals(data, readBack(at, 3000));
        }
    }

    @Test
    void appendCodeWritesExecutableBytes() {
        byte[] ret = {(byte) 0xC3};
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(16))) {
            long at = buffer.appendCode(ret);
            assertArrayEquals(ret, readBack(at, 1));
            assertExecutable(at, "the page holding appended code");
        }
    }

    @Test
    void alignedBuffersStartAtTheAlignment() {
        for (int alignment : new int[] {1, 2, 16, 64, 256, 4096}) {
            try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(32), alignment)) {
                long next = buffer.baseAddress() + buffer.position();
                assertEquals(0, next % alignment, "alignment " + alignment);
                assertTrue(buffer.bytesLeft() >= 32);
                assertEquals(next, buffer.append(pattern(32, alignment)));
            }
        }
    }

    @Test
    void nearAFunctionMeansWithinProximity() {
        try (PrivateAllocation function = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults())) {
            long target = function.baseAddress();
            BufferSearchSettings near = BufferSearchSettings.fromProximity(TWO_GIB, target, 64);
            try (Buffer buffer = Buffers.getBuffer(near)) {
                long at = buffer.append(pattern(64, 6));
                assertTrue(Math.abs(at - target) <= TWO_GIB);
                assertTrue(Long.compareUnsigned(buffer.baseAddress(), near.minAddress()) >= 0);
                assertTrue(Long.compareUnsigned(buffer.baseAddress() + buffer.size() - 1, near.maxAddress()) <= 0,
                        "the whole buffer lies in [min, max]");
            }
        }
    }

    @Test
    void oneCallWriteAndWriteCode() {
        BufferSearchSettings low = new BufferSearchSettings(0, TWO_GIB, 1);
        byte[] data = pattern(40, 7);
        long at = Buffers.write(low, data);
        assertTrue(inside(at, 40, low));
        assertArrayEquals(data, readBack(at, 40));
        long code = Buffers.writeCode(low, new byte[] {(byte) 0x90, (byte) 0xC3});
        assertArrayEquals(new byte[] {(byte) 0x90, (byte) 0xC3}, readBack(code, 2));
        assertNotEquals(at, code, "two writes never share bytes");
        assertExecutable(code, "the page holding written code");
    }

    @Test
    void privateMemoryIsInRangeReadableAndWritable() {
        BufferAllocatorSettings settings = BufferAllocatorSettings.defaults().withRange(0, TWO_GIB).withSize(100);
        try (PrivateAllocation allocation = Buffers.allocatePrivateMemory(settings)) {
            assertTrue(allocation.isOpen());
            long base = allocation.baseAddress();
            assertEquals(Buffers.allocationGranularity(), allocation.size(), "rounded up to the granularity");
            assertTrue(Long.compareUnsigned(base + allocation.size() - 1, TWO_GIB) <= 0);
            ByteBuffer view = allocation.asByteBuffer();
            assertEquals(allocation.size(), view.capacity());
            view.put(0, (byte) 42);
            assertArrayEquals(new byte[] {42}, readBack(base, 1));
            Buffers.overwriteAllocatedCode(new byte[] {(byte) 0xC3, (byte) 0xCC}, base + 10);
            assertEquals((byte) 0xC3, view.get(10));
            assertEquals((byte) 0xCC, view.get(11));
            assertTrue(allocation.toString().contains("PrivateAllocation[base"));
            assertExecutable(base, "private memory");
        }
    }

    @Test
    void overwriteAllocatedCodeOnABuffer() {
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(8))) {
            long at = buffer.appendCode(new byte[] {(byte) 0x90, (byte) 0x90, (byte) 0x90});
            Buffers.overwriteAllocatedCode(new byte[] {(byte) 0xC3}, at + 1);
            assertArrayEquals(new byte[] {(byte) 0x90, (byte) 0xC3, (byte) 0x90}, readBack(at, 3));
            Buffers.overwriteAllocatedCode(new byte[0], at); // nothing to do
        }
    }

    @Test
    void locatorListsEveryBuffer() {
        long locator = Buffers.locatorAddress();
        assertNotEquals(0, locator);
        assertEquals(locator, Buffers.locatorAddress(), "the address is stable");
        long at;
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(16))) {
            at = buffer.append(pattern(16, 8));
            List<BufferInfo> infos = Buffers.listBuffers();
            BufferInfo mine = infos.stream().filter(i -> at >= i.baseAddress() && at < i.baseAddress() + i.size())
                    .findFirst().orElseThrow();
            assertTrue(mine.taken(), "listed as taken while held");
            assertEquals(at + 16 - mine.baseAddress(), mine.position());
            assertEquals(mine.size() - mine.position(), mine.bytesLeft());
            assertEquals(locator, infos.get(0).locatorAddress(), "the first buffer lives in the first locator");
        }
        BufferInfo after = Buffers.listBuffers().stream()
                .filter(i -> at >= i.baseAddress() && at < i.baseAddress() + i.size()).findFirst().orElseThrow();
        assertFalse(after.taken(), "released on close");
        String dir = Buffers.locatorDirectory();
        Path file = Path.of(dir, "Reloaded.Memory.Buffers.MemoryBuffer, PID " + ProcessHandle.current().pid());
        assertTrue(Files.isRegularFile(file), "locator file " + file);
    }

    /**
     * Asserts that the page holding address is mapped executable, from /proc/self/maps; called last
     * in a test. Under qemu-user (the java_linux_aarch64 stage sets buffers.test.emulator) that file
     * cannot tell: qemu prints each host mapping with the flags of its first guest page, and the host
     * merges a read/write guest mapping with an adjacent read/write/execute one (qemu maps both
     * read/write on the host), so an executable buffer next to a data mapping reads as "rw-". The
     * check is then aborted (JUnit counts the test as skipped, not passed) with that reason.
     */
    static void assertExecutable(long address, String what) {
        String emulator = System.getProperty("buffers.test.emulator", "");
        assumeTrue(emulator.isEmpty(), "not checked under " + emulator + ": its /proc/self/maps reports a merged "
                + "host mapping with the flags of its first page, so executability of " + what + " cannot be read");
        assertTrue(executable(address), what + " is executable");
    }

    /** Whether the page holding the address is mapped executable, from /proc/self/maps. */
    static boolean executable(long address) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] parts = line.split("\\s+");
                String[] range = parts[0].split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                    return parts[1].charAt(2) == 'x';
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read /proc/self/maps", e);
        }
        throw new AssertionError("address 0x" + Long.toHexString(address) + " is not mapped");
    }

    @Test
    void theLayoutIsTheDocumentsAndRustsCannotBeChosenOnceTheLocatorExists() {
        Buffers.locatorAddress();   // the locator exists from here on
        assertEquals("document", Buffers.locatorLayout());
        BufferAllocationException refused = assertThrows(BufferAllocationException.class, Buffers::useRustLayout);
        assertTrue(refused.getMessage().contains("BUFFERS_ERROR_LOCATOR"), refused.getMessage());
        assertEquals("document", Buffers.locatorLayout());
    }
}
