package reloaded.memory.buffers.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferAllocatorSettings;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.PrivateAllocation;
import reloaded.memory.buffers.ProcessBuffers;

/** Buffers.ofProcess against processes that never loaded the library, and pids that are wrong. */
class ForeignProcessTest {
    @Test
    void privateMemoryInAPlainSleepIsMappedThereAndFreed() throws Exception {
        assumeTrue(Targets.isLinux(), "/proc/PID/maps is Linux's");
        try (Targets.Grandchild sleep = Targets.startSleep();
             ProcessBuffers process = Buffers.ofProcess(sleep.pid())) {
            PrivateAllocation allocation;
            try {
                allocation = process.allocatePrivateMemory(BufferAllocatorSettings.defaults().withSize(100));
            } catch (UnsupportedOperationException e) {
                assumeTrue(false, "private memory in another process is not possible here: " + e.getMessage());
                return;
            }
            long base = allocation.baseAddress();
            assertTrue(allocation.size() >= 100);
            assertEquals(1, Targets.mappingsAt(sleep.pid(), base).size(), "mapped in the sleep");
            assertThrows(UnsupportedOperationException.class, allocation::asByteBuffer, "no view of another process");
            allocation.close();
            assertTrue(Targets.mappingsAt(sleep.pid(), base).isEmpty(), "freed in the sleep");
            assertTrue(ProcessHandle.of(sleep.pid()).map(ProcessHandle::isAlive).orElse(false), "the sleep lives on");
        }
    }

    @Test
    void settingsNamingAnotherProcessAreRefused() throws Exception {
        try (Targets.Grandchild sleep = Targets.startSleep();
             ProcessBuffers process = Buffers.ofProcess(sleep.pid())) {
            int other = (int) sleep.pid() + 1;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> process.allocatePrivateMemory(BufferAllocatorSettings.defaults().withTargetProcessId(other)));
            assertTrue(e.getMessage().contains("target process " + other), e.getMessage());
        }
    }

    /**
     * A process that never loaded the library gets a locator made for it at open (docs/external.md,
     * "A target without a locator"), so its buffers work like those of a process using the library.
     */
    @Test
    void plainSleepGetsALocatorMadeForItAndItsBufferTakesTheBytes() throws Exception {
        Targets.assumeProcessBuffersWork();
        try (Targets.Grandchild sleep = Targets.startSleep();
             ProcessBuffers process = Buffers.ofProcess(sleep.pid())) {
            BufferSearchSettings settings = BufferSearchSettings.defaults().withSize(64);
            byte[] code = {(byte) 0x90, (byte) 0x90, (byte) 0xC3};
            long address;
            try (Buffer buffer = process.getBuffer(settings)) {
                address = buffer.append(code);
            }
            assertTrue(Targets.inWindow(address, settings.minAddress(), settings.maxAddress()));
            assertArrayEquals(code, Targets.read(sleep.pid(), address, code.length), "the bytes are in the sleep");
            assertTrue(ProcessHandle.of(sleep.pid()).map(ProcessHandle::isAlive).orElse(false), "the sleep lives on");
        }
    }

    /**
     * A child of this JVM is refused before any ptrace session: the JVM's reaper thread waits for it
     * and would take the session's stops (the call hung, and the Process reported a false exit).
     */
    @Test
    void childOfThisJvmIsRefusedAndItsProcessObjectStaysTrue() throws Exception {
        assumeTrue(Targets.isLinux(), "the reaper's waitpid sees ptrace stops on Linux");
        Process child = new ProcessBuilder("sleep", "30").start();
        try {
            IllegalArgumentException open = assertThrows(IllegalArgumentException.class,
                    () -> Buffers.ofProcess(child.pid()));
            assertTrue(open.getMessage().contains("is a child of this JVM"), open.getMessage());
            IllegalArgumentException reserve = assertThrows(IllegalArgumentException.class,
                    () -> Buffers.allocatePrivateMemory(
                            BufferAllocatorSettings.defaults().withTargetProcessId((int) child.pid())));
            assertTrue(reserve.getMessage().contains("is a child of this JVM"), reserve.getMessage());
            assertTrue(child.isAlive(), "the JVM still sees its child running");
        } finally {
            child.destroyForcibly().waitFor();
        }
    }

    @Test
    void processThatDoesNotExistIsAnInvalidArgument() throws Exception {
        long dead = Targets.deadPid();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Buffers.ofProcess(dead));
        assertTrue(e.getMessage().contains("no such process: " + dead), e.getMessage());
    }

    @Test
    void thisProcessIsAnInvalidArgument() {
        long self = ProcessHandle.current().pid();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Buffers.ofProcess(self));
        assertTrue(e.getMessage().contains("is this process"), e.getMessage());
    }

    @Test
    void pidsOutOfRangeAreRefusedBeforeTheNativeCall() {
        for (long pid : new long[] {0, -1, Long.MIN_VALUE, Integer.MAX_VALUE + 1L, 1L << 32}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Buffers.ofProcess(pid));
            assertTrue(e.getMessage().contains("pid must be from 1 to 2147483647, was " + pid), e.getMessage());
        }
    }
}
