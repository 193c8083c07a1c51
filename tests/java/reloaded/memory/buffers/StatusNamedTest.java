package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/**
 * A refused append crosses JNI as INVALID_ARGUMENT whatever the reason; Buffer takes the real status
 * from the C text (an append into another process that the OS refused is PERMISSION).
 */
class StatusNamedTest {
    @Test
    void theStatusNamedAtTheStartOfTheTextWins() {
        assertEquals(Status.PERMISSION, Status.named("BUFFERS_ERROR_PERMISSION: append: cannot write 3 bytes",
                Status.INVALID_ARGUMENT));
        assertEquals(Status.UNSUPPORTED, Status.named("BUFFERS_ERROR_UNSUPPORTED: x", Status.INVALID_ARGUMENT));
        assertInstanceOf(SecurityException.class, Status.toException(
                Status.named("BUFFERS_ERROR_PERMISSION: refused", Status.INVALID_ARGUMENT), "refused", 0, 0, 0));
    }

    @Test
    void withoutAStatusNameTheFallbackStays() {
        assertEquals(Status.INVALID_ARGUMENT, Status.named("append: no buffer", Status.INVALID_ARGUMENT));
        assertEquals(Status.NO_SPACE, Status.named(null, Status.NO_SPACE));
        assertEquals(Status.INVALID_ARGUMENT, Status.named("BUFFERS_ERROR_PERMISSIONS: no colon right after",
                Status.INVALID_ARGUMENT));
        assertEquals(Status.INVALID_ARGUMENT, Status.named("BUFFERS_OK: not a failure", Status.INVALID_ARGUMENT));
    }
}
