package reloaded.memory.buffers.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads another process's memory through /proc/PID/mem (needs ptrace permission: same user or root). */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /**
     * Reads length bytes at address of the process.
     *
     * @throws IOException if the file cannot be opened (permission) or the range is not mapped
     */
    static byte[] read(Path proc, int pid, long address, int length) throws IOException {
        if (address < 0) {
            throw new IOException("address " + Long.toUnsignedString(address, 16) + " is beyond /proc/" + pid + "/mem");
        }
        Path mem = proc.resolve(Integer.toString(pid)).resolve("mem");
        try (FileChannel channel = FileChannel.open(mem, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, address + buffer.position());
                if (n <= 0) {
                    throw new IOException("only " + buffer.position() + " of " + length + " bytes readable at 0x"
                            + Long.toHexString(address));
                }
            }
            return buffer.array();
        }
    }
}
