package reloaded.memory.buffers.nativeaccess;

import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;

/** Run in a child JVM by NativeAccessTest: one write through the public API, then "ok". */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) {
        long at = Buffers.write(BufferSearchSettings.defaults(), new byte[] {1, 2, 3});
        byte[] back = new byte[3];
        Buffers.read(at, back);
        System.out.println(back[2] == 3 ? "ok" : "wrong bytes");
    }
}
