package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one place statuses become exceptions. */
class StatusTest {
    @Test
    void eachStatusBecomesItsException() {
        assertInstanceOf(IllegalArgumentException.class, Status.toException(Status.INVALID_ARGUMENT, "x", 1, 2, 3));
        assertInstanceOf(UnsupportedOperationException.class, Status.toException(Status.UNSUPPORTED, "x", 1, 2, 3));
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
        assertEquals("BUFFERS_STATUS_UNKNOWN(42)", Status.name(42));
    }
}
