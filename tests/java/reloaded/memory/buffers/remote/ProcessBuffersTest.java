package reloaded.memory.buffers.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.ProcessBuffers;

/**
 * Buffers.ofProcess against a child JVM that uses the library: bytes land in the target (read back
 * from /proc/PID/mem) inside the requested window; the item calls act there; closing is final.
 * Skipped (with the native side's reason) where buffers of another process are not possible.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessBuffersTest {
    private static final long JMP_REACH = 0x7FFFFFFFL;
    private Targets.Target target;
    /** Why the tests cannot run here, or null; checked per test so that each counts as skipped. */
    private String unavailable;

    @BeforeAll
    void startTarget() throws Exception {
        unavailable = Targets.processBuffersUnavailable();
        if (unavailable == null) {
            target = Targets.startJvm();
        }
    }

    @BeforeEach
    void needsProcessBuffers() {
        assumeTrue(unavailable == null, unavailable);
    }

    @AfterAll
    void stopTarget() throws Exception {
        if (target != null) {
            target.close();
        }
    }

    @Test
    void appendsLandInTheTargetInsideTheWindowAndMoveThePosition() throws Exception {
        BufferSearchSettings near = BufferSearchSettings.fromProximity(JMP_REACH, target.bufferAddress(), 64);
        byte[] data = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        byte[] code = {(byte) 0x90, (byte) 0x90, (byte) 0xC3};
        try (ProcessBuffers process = Buffers.ofProcess(target.pid())) {
            assertEquals(target.pid(), process.pid());
            Buffer buffer = process.getBuffer(near);
            long base = buffer.baseAddress();
            long position = buffer.position();
            long left = buffer.bytesLeft();
            assertEquals(buffer.size(), position + left);
            assertTrue(left >= 64, "bytes left " + left);

            long at = buffer.append(data);
            assertEquals(base + position, at);
            assertTrue(Targets.inWindow(at, near.minAddress(), near.maxAddress()), Long.toHexString(at));
            assertTrue(Targets.inWindow(at + data.length - 1, near.minAddress(), near.maxAddress()));
            assertEquals(position + data.length, buffer.position());
            assertEquals(left - data.length, buffer.bytesLeft());

            long codeAt = buffer.appendCode(code);
            assertEquals(at + data.length, codeAt);
            assertEquals(position + data.length + code.length, buffer.position());

            assertArrayEquals(data, Targets.read(target.pid(), at, data.length));
            assertArrayEquals(code, Targets.read(target.pid(), codeAt, code.length));
            String permissions = Targets.mappingsAt(target.pid(), codeAt).get(0).split(" ")[1];
            assertEquals('x', permissions.charAt(2), "code must be executable: " + permissions);

            buffer.close();
            assertFalse(buffer.isOpen());
            assertThrows(IllegalStateException.class, () -> buffer.append(data));
            assertThrows(IllegalStateException.class, buffer::position);
            buffer.close(); // idempotent
        }
    }

    @Test
    void tooMuchDataIsRefusedAndNothingIsWritten() throws Exception {
        try (ProcessBuffers process = Buffers.ofProcess(target.pid());
             Buffer buffer = process.getBuffer(BufferSearchSettings.defaults().withSize(16))) {
            long position = buffer.position();
            byte[] big = new byte[(int) buffer.bytesLeft() + 1];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> buffer.append(big));
            assertTrue(e.getMessage().contains("do not fit"), e.getMessage());
            assertEquals(position, buffer.position());
        }
    }

    @Test
    void closingTheHandleReleasesItsBuffersAndEndsIt() throws Exception {
        ProcessBuffers process = Buffers.ofProcess(target.pid());
        Buffer buffer = process.getBuffer(BufferSearchSettings.defaults().withSize(32));
        long base = buffer.baseAddress();
        long end = base + buffer.size() - 1;
        int free = (int) buffer.bytesLeft();
        process.close();
        assertFalse(process.isOpen());
        assertFalse(buffer.isOpen(), "closing the handle closes its buffers");
        assertThrows(IllegalStateException.class, () -> buffer.append(new byte[1]));
        assertThrows(IllegalStateException.class, () -> process.getBuffer(BufferSearchSettings.defaults()));
        assertThrows(IllegalStateException.class,
                () -> process.allocatePrivateMemory(reloaded.memory.buffers.BufferAllocatorSettings.defaults()));
        process.close(); // idempotent

        // Released, not just forgotten: only that buffer fits this window, and it can be taken again.
        try (ProcessBuffers again = Buffers.ofProcess(target.pid());
             Buffer same = again.getBuffer(new BufferSearchSettings(base, end, free))) {
            assertEquals(base, same.baseAddress());
        }
    }

    @Test
    void nullSettingsAreRefused() throws Exception {
        try (ProcessBuffers process = Buffers.ofProcess(target.pid())) {
            assertThrows(NullPointerException.class, () -> process.getBuffer(null));
            assertThrows(NullPointerException.class, () -> process.allocatePrivateMemory(null));
        }
    }
}
