package reloaded.memory.buffers.remote;

import java.io.IOException;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;

/**
 * The target of the tests of another process's buffers, run in a child JVM (Targets.startJvm):
 * uses the library once (so it has a locator), prints "pid PID buffer HEX ready", then waits until
 * its standard input closes.
 */
public final class TargetMain {
    private TargetMain() {
    }

    public static void main(String[] args) throws IOException {
        long base;
        try (Buffer buffer = Buffers.getBuffer(BufferSearchSettings.defaults())) {
            base = buffer.baseAddress();
        }
        System.out.println("pid " + ProcessHandle.current().pid() + " buffer " + Long.toHexString(base) + " ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our standard input
        }
    }
}
