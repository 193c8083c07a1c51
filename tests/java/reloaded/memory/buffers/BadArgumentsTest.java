package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

/** Every bad argument gives a clear exception naming it, and never reaches C unchecked. */
class BadArgumentsTest {
    private static void assertNames(RuntimeException e, String argument) {
        assertTrue(e.getMessage() != null && e.getMessage().contains(argument),
                "message should name '" + argument + "': " + e.getMessage());
    }

    @Test
    void nullSettings() {
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.getBuffer(null)), "settings");
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.getBuffer(null, 16)), "settings");
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.allocatePrivateMemory(null)), "settings");
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.write(null, new byte[1])), "settings");
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.writeCode(null, new byte[1])), "settings");
    }

    @Test
    void nullData() {
        BufferSearchSettings s = BufferSearchSettings.defaults();
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.write(s, null)), "data");
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.writeCode(s, null)), "code");
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.overwriteAllocatedCode(null, 1)), "source");
        assertNames(assertThrows(NullPointerException.class, () -> Buffers.read(1, null)), "destination");
        try (Buffer b = Buffers.getBuffer(s.withSize(16))) {
            assertNames(assertThrows(NullPointerException.class, () -> b.append((byte[]) null)), "data");
            assertNames(assertThrows(NullPointerException.class, () -> b.append(null, 0, 0)), "data");
            assertNames(assertThrows(NullPointerException.class, () -> b.append((ByteBuffer) null)), "data");
            assertNames(assertThrows(NullPointerException.class, () -> b.appendCode(null)), "code");
        }
    }

    @Test
    void emptyOneCallWrites() {
        BufferSearchSettings s = BufferSearchSettings.defaults();
        assertNames(assertThrows(IllegalArgumentException.class, () -> Buffers.write(s, new byte[0])), "data");
        assertNames(assertThrows(IllegalArgumentException.class, () -> Buffers.writeCode(s, new byte[0])), "code");
    }

    @Test
    void badAlignment() {
        BufferSearchSettings s = BufferSearchSettings.defaults().withSize(16);
        for (int alignment : new int[] {0, -1, 3, 12, 8192, Integer.MIN_VALUE}) {
            assertNames(assertThrows(IllegalArgumentException.class, () -> Buffers.getBuffer(s, alignment)),
                    "alignment");
        }
    }

    @Test
    void badOffsetsAndLengths() {
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(16))) {
            byte[] data = new byte[10];
            assertThrows(IndexOutOfBoundsException.class, () -> b.append(data, -1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> b.append(data, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> b.append(data, 5, 6));
            assertThrows(IndexOutOfBoundsException.class, () -> b.append(data, 11, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> b.append(data, Integer.MAX_VALUE, 2));
            b.append(data, 10, 0); // an empty range at the end is fine
        }
    }

    @Test
    void appendLargerThanTheSpaceLeft() {
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(16))) {
            int left = (int) b.bytesLeft();
            long position = b.position();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.append(new byte[left + 1]));
            assertNames(e, "bytes left");
            assertEquals(position, b.position(), "nothing was written");
            assertThrows(IllegalArgumentException.class, () -> b.appendCode(new byte[left + 1]));
            ByteBuffer direct = ByteBuffer.allocateDirect(left + 1);
            assertThrows(IllegalArgumentException.class, () -> b.append(direct));
            assertEquals(0, direct.position(), "a failed append leaves the source as it was");
        }
    }

    /** A small append (the words route: a critical downcall on JDK 22+, JNI on 17) into a nearly full buffer. */
    @Test
    void smallAppendLargerThanTheSpaceLeft() {
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(64))) {
            b.reserve((int) b.bytesLeft() - 8); // 8 bytes left
            long position = b.position();
            assertEquals(0, NativeBuffers.appendWords(0, 0, 0, 0, 0, 1, false) < 0 ? 0 : 1, "a glue failure first");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.append(new byte[16]));
            assertNames(e, "bytes left");
            assertTrue(!e.getMessage().contains("no buffer"), "the glue's earlier reason is not reported: " + e);
            assertThrows(IllegalArgumentException.class, () -> b.appendCode(new byte[9]));
            assertEquals(position, b.position(), "nothing was written");
            assertEquals(b.baseAddress() + position, b.append(new byte[8]), "the last 8 bytes still fit");
        }
    }

    @Test
    void nothingFitsInATinyRange() {
        // 100 bytes of address space cannot hold a 4096-byte buffer.
        BufferSearchSettings tiny = new BufferSearchSettings(0x10000, 0x10064, 4096);
        BufferAllocationException e = assertThrows(BufferAllocationException.class, () -> Buffers.getBuffer(tiny));
        assertEquals(0x10000, e.minAddress());
        assertEquals(0x10064, e.maxAddress());
        assertEquals(4096, e.size());
        assertNames(e, "BUFFERS_ERROR_NO_SPACE");
        assertThrows(BufferAllocationException.class, () -> Buffers.write(tiny, new byte[1]));
        BufferAllocatorSettings privateTiny = BufferAllocatorSettings.defaults().withRange(0x10000, 0x10064);
        BufferAllocationException p = assertThrows(BufferAllocationException.class,
                () -> Buffers.allocatePrivateMemory(privateTiny));
        assertEquals(4096, p.size());
    }

    @Test
    void rangesAboveTheAddressSpace() {
        long max = Buffers.maxAddress();
        BufferSearchSettings above = new BufferSearchSettings(max + 1, -1L, 16);
        assertThrows(BufferAllocationException.class, () -> Buffers.getBuffer(above));
        assertThrows(BufferAllocationException.class, () -> Buffers.getBuffer(above, 16));
    }

    @Test
    void anotherProcessThatDoesNotExistIsRefused() {
        // Windows and 64-bit Linux allocate in other processes (docs/external.md): a process that does not
        // exist is a bad argument there; builds that cannot (32-bit Linux) say so. Never a real process.
        BufferAllocatorSettings other = BufferAllocatorSettings.defaults().withTargetProcessId(Integer.MAX_VALUE);
        RuntimeException e = assertThrows(RuntimeException.class, () -> Buffers.allocatePrivateMemory(other));
        assertTrue(e instanceof IllegalArgumentException || e instanceof UnsupportedOperationException, e.toString());
        assertTrue(e.getMessage().contains(String.valueOf(Integer.MAX_VALUE)), e.getMessage());
    }

    @Test
    void foreignAddressesAreRefused() {
        byte[] one = {(byte) 0xC3};
        for (long address : new long[] {0, 1, 0x1000, -1L, -4096L, Buffers.maxAddress()}) {
            assertNames(assertThrows(IllegalArgumentException.class,
                    () -> Buffers.overwriteAllocatedCode(one, address)), "target");
            assertNames(assertThrows(IllegalArgumentException.class, () -> Buffers.read(address, new byte[1])),
                    "address");
        }
        long javaMemory = BufferAllocatorSettings.class.hashCode(); // any address the library did not hand out
        assertThrows(IllegalArgumentException.class, () -> Buffers.read(javaMemory, new byte[16]));
    }

    @Test
    void rangesThatRunPastABufferAreRefused() {
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(16))) {
            long end = b.baseAddress() + b.size();
            assertThrows(IllegalArgumentException.class, () -> Buffers.read(end - 4, new byte[8]));
            assertThrows(IllegalArgumentException.class, () -> Buffers.overwriteAllocatedCode(new byte[8], end - 4));
            Buffers.read(end - 8, new byte[8]); // the last 8 bytes are fine
        }
        try (PrivateAllocation p = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults())) {
            long end = p.baseAddress() + p.size();
            assertThrows(IllegalArgumentException.class, () -> Buffers.read(end - 1, new byte[2]));
        }
    }
}
