package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A buffer of this process belongs to the thread that got it (its append and close take no lock):
 * another thread's every use throws IllegalStateException and changes nothing, the buffer staying
 * its owner's.
 */
class BufferThreadTest {
    /** Runs call on a new thread and returns what it threw (null: nothing). */
    private static Throwable onOtherThread(Executable call) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                call.execute();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "other");
        other.start();
        other.join();
        return thrown.get();
    }

    private static void assertRefusedElsewhere(Executable call) throws InterruptedException {
        Throwable thrown = onOtherThread(call);
        assertTrue(thrown instanceof IllegalStateException, "another thread's use must throw IllegalStateException, got "
                + thrown);
        assertTrue(thrown.getMessage().contains("belongs to thread"), thrown.getMessage());
    }

    @Test
    void anotherThreadsUseThrowsAndChangesNothing() throws Exception {
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(64))) {
            long position = b.position();
            assertRefusedElsewhere(() -> b.append(new byte[16]));
            assertRefusedElsewhere(() -> b.append(new byte[16], 0, 8));
            assertRefusedElsewhere(() -> b.append(ByteBuffer.allocate(4)));
            assertRefusedElsewhere(() -> b.append(ByteBuffer.allocateDirect(4)));
            assertRefusedElsewhere(() -> b.appendCode(new byte[] {(byte) 0xC3}));
            assertRefusedElsewhere(() -> b.reserve(8));
            assertRefusedElsewhere(b::baseAddress);
            assertRefusedElsewhere(b::size);
            assertRefusedElsewhere(b::position);
            assertRefusedElsewhere(b::bytesLeft);
            assertRefusedElsewhere(b::close);
            assertEquals(position, b.position(), "nothing was written by the other thread");
            assertTrue(b.isOpen(), "the other thread's close left the buffer open");
            long base = b.baseAddress();
            assertTrue(Buffers.listBuffers().stream().anyMatch(i -> i.baseAddress() == base && i.taken()),
                    "still locked for its owner");
            assertEquals(b.baseAddress() + position, b.append(new byte[16]), "its owner still appends");
        }
    }

    @Test
    void anotherThreadMayAskWhetherItIsOpen() throws Exception {
        Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(16));
        boolean[] open = new boolean[1];
        String[] text = new String[1];
        assertEquals(null, onOtherThread(() -> {
            open[0] = b.isOpen();
            text[0] = b.toString();
        }));
        assertTrue(open[0]);
        assertTrue(text[0].contains("of thread"), text[0]);
        b.close();
        assertFalse(b.isOpen());
        assertRefusedElsewhere(b::close);
    }

    @Test
    void aReservationIsGivenBackOnlyByTheOwner() throws Exception {
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(64))) {
            Reservation r = b.reserve(16);
            long position = b.position();
            assertRefusedElsewhere(r::unreserve);
            assertEquals(position, b.position(), "the reservation stands");
            r.unreserve();
            assertEquals(position - 16, b.position());
        }
    }
}
