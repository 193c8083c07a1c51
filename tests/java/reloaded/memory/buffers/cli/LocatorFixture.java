package reloaded.memory.buffers.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes locator files in the SPEC.md layout for the CLI tests. */
final class LocatorFixture {
    private LocatorFixture() {
    }

    /** A 4096-byte locator block; items are {base, taken, size, position} each. */
    static byte[] block(int pointerSize, long thisAddress, long next, long[]... items) {
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        putPointer(b, 0, pointerSize, thisAddress);
        putPointer(b, pointerSize, pointerSize, next);
        b.putInt(2 * pointerSize, 0);
        b.put(2 * pointerSize + 4, (byte) 0);
        b.put(2 * pointerSize + 5, (byte) items.length);
        int header = pointerSize == 8 ? 24 : 16;
        int itemSize = pointerSize == 8 ? 20 : 16;
        for (int i = 0; i < items.length; i++) {
            int at = header + i * itemSize;
            putPointer(b, at, pointerSize, items[i][0]);
            b.putInt(at + pointerSize, (int) items[i][1]);
            b.putInt(at + pointerSize + 4, (int) items[i][2]);
            b.putInt(at + pointerSize + 8, (int) items[i][3]);
        }
        return b.array();
    }

    private static void putPointer(ByteBuffer b, int at, int size, long value) {
        if (size == 8) {
            b.putLong(at, value);
        } else {
            b.putInt(at, (int) value);
        }
    }

    /** root/.reloaded/memory.buffers/Reloaded.Memory.Buffers.MemoryBuffer, PID pid */
    static Path write(Path root, String folder, int pid, byte[] block) throws IOException {
        Path dir = Files.createDirectories(root.resolve(folder).resolve("memory.buffers"));
        return Files.write(dir.resolve(LocatorFiles.PREFIX + pid), block);
    }

    /** A process id that can never run: above PID_MAX_LIMIT (2^22), the highest pid_max Linux allows. */
    static int deadPid() {
        return (1 << 22) + 1;
    }
}
