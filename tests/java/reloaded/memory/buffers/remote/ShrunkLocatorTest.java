package reloaded.memory.buffers.remote;

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
 * A target's further locator file emptied (ftruncate 0) between two gets, by a process of its user
 * (here this test, as a hostile target could itself): the next get through Buffers.ofProcess is an
 * exception naming the truncation, and this JVM lives. On the old code the JVM died of SIGBUS in
 * the native walk of the chain, with an hs_err file (issue 16, point 2).
 */
class ShrunkLocatorTest {
    /** Items in one 64-bit locator: holding one more than that chains a further locator. */
    private static final int ITEMS_PER_LOCATOR = 203;

    @Test
    void aFurtherLocatorEmptiedUnderTheHandleIsAnExceptionNotACrash() throws Exception {
        Targets.assumeProcessBuffersWork();
        try (Targets.Grandchild sleep = Targets.startSleep();
             ProcessBuffers process = Buffers.ofProcess(sleep.pid())) {
            List<Buffer> held = new ArrayList<>();
            try {
                while (held.size() <= ITEMS_PER_LOCATOR) {
                    held.add(process.getBuffer(BufferSearchSettings.defaults()));
                }
            } finally {
                for (Buffer buffer : held) {
                    buffer.close();
                }
            }
            long first = firstLocator(sleep.pid());
            long further = ByteBuffer.wrap(Targets.read(sleep.pid(), first + 8, 8)).order(ByteOrder.LITTLE_ENDIAN)
                    .getLong();
            assertTrue(further != 0, "no further locator was chained");
            String line = Targets.mappingsAt(sleep.pid(), further).get(0);
            try (FileChannel file = FileChannel.open(Paths.get(line.substring(line.indexOf('/'))),
                    StandardOpenOption.WRITE)) {
                file.truncate(0);
            }
            // Larger than every buffer made above: the walk must reach the further locator.
            BufferSearchSettings none = BufferSearchSettings.defaults().withSize(16 << 20);
            BufferAllocationException refused = assertThrows(BufferAllocationException.class,
                    () -> process.getBuffer(none).close());
            assertTrue(refused.getMessage().contains("BUFFERS_ERROR_LOCATOR"), refused.getMessage());
            assertTrue(refused.getMessage().contains("truncated"), refused.getMessage());
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
