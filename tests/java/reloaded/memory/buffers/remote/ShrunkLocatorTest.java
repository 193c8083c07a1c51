package reloaded.memory.buffers.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferAllocationException;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.ProcessBuffers;

/**
 * A target's further locator file emptied (ftruncate 0) between two gets, or while a buffer of it is
 * held, by a process of its user (here this test, as a hostile target could itself): the next get
 * through Buffers.ofProcess, or the held buffer's position, bytes left or close, answers without
 * touching the file, and this JVM lives. On the old code the JVM died of SIGBUS (in the native walk of the chain, in the
 * held item's calls), with an hs_err file (issue 16, point 2).
 */
class ShrunkLocatorTest {
    /** Items in one 64-bit locator: holding one more than that chains a further locator. */
    private static final int ITEMS_PER_LOCATOR = 203;

    @Test
    void aFurtherLocatorEmptiedUnderTheHandleIsAnExceptionNotACrash() throws Exception {
        Targets.assumeProcessBuffersWork();
        try (Targets.Grandchild sleep = Targets.startSleep();
             ProcessBuffers process = Buffers.ofProcess(sleep.pid())) {
            closeAll(holdOneMoreThanALocator(process));
            emptyFurtherLocator(sleep.pid());
            // Larger than every buffer made above: the walk must reach the further locator.
            BufferSearchSettings none = BufferSearchSettings.defaults().withSize(16 << 20);
            BufferAllocationException refused = assertThrows(BufferAllocationException.class,
                    () -> process.getBuffer(none).close());
            assertTrue(refused.getMessage().contains("BUFFERS_ERROR_LOCATOR"), refused.getMessage());
            assertTrue(refused.getMessage().contains("truncated"), refused.getMessage());
        }
    }

    /**
     * A buffer held while its locator's file is emptied: its position, bytes left and close answer
     * without touching the file (0 there), the append writes into the target's buffer (it touches no
     * word of the file: the held item's position is kept privately until close), and the JVM lives.
     * On the old code each of them died of SIGBUS.
     */
    @Test
    void aHeldBufferWhoseFileIsEmptiedIsAnExceptionNotACrash() throws Exception {
        Targets.assumeProcessBuffersWork();
        try (Targets.Grandchild sleep = Targets.startSleep();
             ProcessBuffers process = Buffers.ofProcess(sleep.pid())) {
            List<Buffer> buffers = holdOneMoreThanALocator(process);
            try {
                Buffer held = buffers.get(buffers.size() - 1); // the further locator's
                emptyFurtherLocator(sleep.pid());
                assertEquals(0, held.position());
                assertEquals(0, held.bytesLeft());
                assertNotEquals(0, held.append(new byte[] {1, 2, 3}));
                held.close();
                assertFalse(held.isOpen());
            } finally {
                closeAll(buffers);
            }
        }
    }

    /** One buffer more than a locator has items, all held: the last is in a further locator. */
    private static List<Buffer> holdOneMoreThanALocator(ProcessBuffers process) {
        List<Buffer> held = new ArrayList<>();
        try {
            while (held.size() <= ITEMS_PER_LOCATOR) {
                held.add(process.getBuffer(BufferSearchSettings.defaults()));
            }
        } catch (RuntimeException e) {
            closeAll(held);
            throw e;
        }
        return held;
    }

    private static void closeAll(List<Buffer> buffers) {
        for (Buffer buffer : buffers) {
            buffer.close();
        }
    }

    /** Truncates to 0 the file of pid's second locator, as a hostile target could. */
    private static void emptyFurtherLocator(long pid) throws Exception {
        long first = firstLocator(pid);
        long further = ByteBuffer.wrap(Targets.read(pid, first + 8, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertTrue(further != 0, "no further locator was chained");
        String line = Targets.mappingsAt(pid, further).get(0);
        try (FileChannel file = FileChannel.open(Paths.get(line.substring(line.indexOf('/'))),
                StandardOpenOption.WRITE)) {
            file.truncate(0);
        }
    }

    /** Where pid maps its first locator: the mapping of its "PID <pid>" file. */
    private static long firstLocator(long pid) throws Exception {
        String suffix = "PID " + pid;
        for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "maps"))) {
            if (line.endsWith(suffix)) {
                return Long.parseUnsignedLong(line.substring(0, line.indexOf('-')), 16);
            }
        }
        throw new AssertionError("process " + pid + " maps no locator file");
    }
}
