package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

import reloaded.memory.buffers.remote.Targets;

/**
 * Both bridges learn a failure's status from the C core (buffers_last_status), never from its text,
 * and map it to the same exception: an append the C core refuses (more bytes than the buffer has
 * left, past the Java-side checks) is the same exception through JNI and through FFM, and so is a
 * write into another process's buffer that the C core refuses.
 */
class RouteStatusTest {
    @Test
    void aRefusedAppendIsTheSameExceptionThroughJniAndFfm() {
        try (Buffer b = Buffers.getBuffer(BufferSearchSettings.defaults().withSize(64))) {
            long handle = b.appendWith(1, h -> h);   // the locked item behind the buffer
            int tooMany = NativeBuffers.itemBytesLeft(handle) + 1;
            byte[] data = new byte[tooMany];

            long jni = NativeBuffers.append(handle, data, 0, tooMany, false);
            assertTrue(jni < 0, "the C core refuses the append");
            assertEquals(Status.INVALID_ARGUMENT, (int) -jni, NativeBuffers.lastError());

            RuntimeException viaJni = Status.toException((int) -jni, NativeBuffers.lastError(), 0, 0, tooMany);
            RuntimeException viaFfm = assertThrows(RuntimeException.class,
                    () -> Downcalls.append(handle, MemorySegment.ofArray(data), false));
            assertEquals(viaJni.getClass(), viaFfm.getClass());
            assertEquals(Status.INVALID_ARGUMENT, Downcalls.lastStatus());
            assertTrue(viaFfm.getMessage().startsWith("BUFFERS_ERROR_INVALID_ARGUMENT: "), viaFfm.getMessage());
        }
    }

    @Test
    void aRefusedWriteIntoAnotherProcessIsTheSameExceptionThroughJniAndFfm() throws Exception {
        Targets.assumeProcessBuffersWork();
        Targets.Grandchild sleep = Targets.startSleep();
        try (ProcessBuffers process = Buffers.ofProcess(sleep.pid());
             Buffer b = process.getBuffer(BufferSearchSettings.defaults().withSize(64))) {
            long handle = b.appendWith(1, h -> h);   // the locked item, acting in the sleep
            sleep.close();                           // ended: the handle never writes there again
            byte[] data = new byte[16];

            long jni = NativeBuffers.append(handle, data, 0, data.length, false);
            assertTrue(jni < 0, "the C core refuses the write into the ended process");
            int status = (int) -jni;
            RuntimeException viaJni = Status.toException(status, NativeBuffers.lastError(), 0, 0, data.length);
            RuntimeException viaFfm = assertThrows(RuntimeException.class,
                    () -> Downcalls.append(handle, MemorySegment.ofArray(data), false));
            assertEquals(viaJni.getClass(), viaFfm.getClass(), viaJni + " / " + viaFfm);
            assertEquals(status, Downcalls.lastStatus());
            assertTrue(viaFfm.getMessage().contains("has exited or replaced its program"), viaFfm.getMessage());
        } finally {
            sleep.close();
        }
    }
}
