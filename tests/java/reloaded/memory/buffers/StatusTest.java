package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one place statuses become exceptions. */
class StatusTest {
    @Test
    void eachStatusBecomesItsException() {
        assertInstanceOf(IllegalArgumentException.class, Status.toException(Status.INVALID_ARGUMENT, "x", 1, 2, 3));
        assertInstanceOf(UnsupportedOperationException.class, Status.toException(Status.UNSUPPORTED, "x", 1, 2, 3));
        assertInstanceOf(SecurityException.class, Status.toException(Status.PERMISSION, "x", 1, 2, 3));
        for (int s : new int[] {Status.NO_SPACE, Status.LOCATOR, Status.OUT_OF_MEMORY, 99}) {
            BufferAllocationException e = assertInstanceOf(BufferAllocationException.class,
                    Status.toException(s, "detail", 0x10, 0x20, 30));
            assertEquals(0x10, e.minAddress());
            assertEquals(0x20, e.maxAddress());
            assertEquals(30, e.size());
            assertTrue(e.getMessage().contains(Status.name(s)), e.getMessage());
            assertTrue(e.getMessage().contains("detail"), e.getMessage());
        }
    }

    @Test
    void onlyFailuresOfTheRangeCarryTheRange() {
        String locator = Status.toException(Status.LOCATOR, "cannot open the shared locator", 0, 0, 0).getMessage();
        assertFalse(locator.contains("[min"), locator);
        String noSpace = Status.toException(Status.NO_SPACE, "nothing fits", 0x10, 0x20, 30).getMessage();
        assertTrue(noSpace.endsWith("[min 0x0000000000000010, max 0x0000000000000020, size 30]"), noSpace);
    }

    @Test
    void aMessageNamesItsStatusOnce() {
        String detail = "BUFFERS_ERROR_NO_SPACE: no free 4096 bytes";   // as buffers_last_error() words it
        String message = Status.toException(Status.NO_SPACE, detail, 0, 1, 2).getMessage();
        assertTrue(message.startsWith(detail), message);
        assertEquals(message.indexOf("BUFFERS_ERROR_"), message.lastIndexOf("BUFFERS_ERROR_"), message);
    }

    @Test
    void namesMatchTheCEnumerators() {
        assertEquals("BUFFERS_OK", Status.name(Status.OK));
        assertEquals("BUFFERS_ERROR_NO_SPACE", Status.name(Status.NO_SPACE));
        assertEquals("BUFFERS_ERROR_PERMISSION", Status.name(Status.PERMISSION));
        assertEquals("BUFFERS_STATUS_UNKNOWN(42)", Status.name(42));
    }

    @Test
    void theStatusIsNamedOnceWhetherOrNotTheDetailNamesIt() {
        String fromC = "BUFFERS_ERROR_NO_SPACE: no free range in [0x1000, 0x2000]";
        assertEquals(fromC, Status.message(Status.NO_SPACE, fromC));
        assertEquals("BUFFERS_ERROR_NO_SPACE: plain", Status.message(Status.NO_SPACE, "plain"));
        assertEquals("BUFFERS_ERROR_NO_SPACE", Status.message(Status.NO_SPACE, ""));
        String message = Status.toException(Status.NO_SPACE, fromC, 0, 0, 1).getMessage();
        assertEquals(message.indexOf("BUFFERS_ERROR_NO_SPACE"), message.lastIndexOf("BUFFERS_ERROR_NO_SPACE"),
                message);
    }

    @Test
    void aFailureTheGlueFindsRecordsItsOwnReasonNotAStaleOne() {
        // First a failure the C core explains, then one the JNI glue finds itself on this thread.
        assertTrue(NativeBuffers.getBuffer(0x10000, 0x10064, 4096, 0) < 0);
        String first = NativeBuffers.lastError();
        assertTrue(first.startsWith("BUFFERS_ERROR_NO_SPACE"), first);
        assertEquals(-Status.INVALID_ARGUMENT, NativeBuffers.getBuffer(0, -1, 0, 0));
        String second = NativeBuffers.lastError();
        assertTrue(second.startsWith("BUFFERS_ERROR_INVALID_ARGUMENT") && second.contains("size 0"), second);
        // ...and a later C failure is not hidden behind the glue's earlier reason.
        assertTrue(NativeBuffers.getBuffer(0x10000, 0x10064, 4096, 0) < 0);
        assertTrue(NativeBuffers.lastError().startsWith("BUFFERS_ERROR_NO_SPACE"), NativeBuffers.lastError());
    }

    @Test
    void everyFallibleNativeReturnsMinusStatusWithAReason() {
        assertEquals(-Status.INVALID_ARGUMENT, NativeBuffers.append(0, new byte[1], 0, 1, false));
        assertTrue(NativeBuffers.lastError().contains("append"), NativeBuffers.lastError());
        assertEquals(-Status.INVALID_ARGUMENT, NativeBuffers.write(0, -1, 8, new byte[4], 2, 4, false));
        assertTrue(NativeBuffers.lastError().contains("outside the array"), NativeBuffers.lastError());
        assertEquals(-Status.INVALID_ARGUMENT, NativeBuffers.freePrivate(0, 4096, 0));
        assertTrue(NativeBuffers.lastError().contains("invalid"), NativeBuffers.lastError());
        assertEquals(-Status.INVALID_ARGUMENT, NativeBuffers.read(0, new byte[1], 0, 1));
        assertEquals(-Status.INVALID_ARGUMENT, NativeBuffers.overwriteCode(new byte[1], 0, 1, 0));
        assertEquals(-Status.INVALID_ARGUMENT, NativeBuffers.allocatePrivate(0, -1, 0, 0, 1, true, new long[3]));
    }

    @Test
    void bufferCountersAreReadUnsigned() {
        // A buffer of 2 GiB or more has a size above Integer.MAX_VALUE: the C uint32_t must not go negative.
        assertEquals(2_147_483_648L, Buffer.unsigned(0x8000_0000));
        assertEquals(4_294_967_295L, Buffer.unsigned(-1));
        assertEquals(4096L, Buffer.unsigned(4096));
    }
}
