package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** close() is idempotent, and everything after it throws IllegalStateException. */
class CloseTest {
    private static void assertClosed(Executable call) {
        IllegalStateException e = assertThrows(IllegalStateException.class, call);
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void bufferAfterClose() {
        Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(16));
        b.close();
        b.close();
        assertFalse(b.isOpen());
        assertEquals("Buffer[closed]", b.toString());
        assertClosed(() -> b.append(new byte[1]));
        assertClosed(() -> b.append(new byte[4], 0, 2));
        assertClosed(() -> b.append(ByteBuffer.allocate(1)));
        assertClosed(() -> b.append(ByteBuffer.allocateDirect(1)));
        assertClosed(() -> b.append(new byte[0]));
        assertClosed(() -> b.appendCode(new byte[1]));
        assertClosed(b::baseAddress);
        assertClosed(b::size);
        assertClosed(b::position);
        assertClosed(b::bytesLeft);
    }

    @Test
    void closedBufferIsFreeForOthers() {
        long base;
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(16))) {
            base = b.baseAddress();
        }
        boolean taken = Buffers.listBuffers().stream().filter(i -> i.baseAddress() == base).findFirst()
                .orElseThrow().taken();
        assertFalse(taken, "released");
    }

    @Test
    void privateAllocationAfterClose() {
        PrivateAllocation p = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults());
        long base = p.baseAddress();
        p.close();
        p.close();
        assertFalse(p.isOpen());
        assertEquals("PrivateAllocation[freed]", p.toString());
        assertClosed(p::baseAddress);
        assertClosed(p::size);
        assertClosed(p::asByteBuffer);
        // freed memory is no longer a valid target
        assertThrows(IllegalArgumentException.class, () -> Buffers.overwriteAllocatedCode(new byte[1], base));
        assertThrows(IllegalArgumentException.class, () -> Buffers.read(base, new byte[1]));
    }
}
