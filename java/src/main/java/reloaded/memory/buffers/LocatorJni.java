package reloaded.memory.buffers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The JNI calls behind {@link LocatorFiles}, turned into its records (used by both routes). */
final class LocatorJni {
    private LocatorJni() {
    }

    static String sharedRoot() {
        byte[] root = NativeBuffers.sharedRoot();
        if (root == null) {
            throw Status.toException(Status.OUT_OF_MEMORY, NativeBuffers.lastError(), 0, 0, 0);
        }
        return new String(root, java.nio.charset.StandardCharsets.UTF_8);
    }

    static List<LocatorFiles.Entry> list(String root) {
        Object[] out = new Object[3];
        int count = (int) Status.check(NativeBuffers.locatorFiles(root, out), 0, 0, 0);
        long[] n = (long[]) out[0];
        String[] paths = (String[]) out[1];
        String[] names = (String[]) out[2];
        List<LocatorFiles.Entry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = i * 5;
            entries.add(entry(n[at], paths[i], (int) n[at + 4], n[at + 1], (int) n[at + 2], n[at + 3] != 0, names[i]));
        }
        return Collections.unmodifiableList(entries);
    }

    /** The first directoryLength bytes of path's UTF-8 (the C side counts bytes; a path need not be ASCII). */
    static String directoryOf(String path, int directoryLength) {
        byte[] bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new String(bytes, 0, Math.max(0, Math.min(directoryLength, bytes.length)),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    static LocatorFiles.Entry entry(long pid, String path, int directoryLength, long uid, int state, boolean regular,
                                    String name) {
        LocatorFiles.State[] states = LocatorFiles.State.values();
        return new LocatorFiles.Entry(pid, path, directoryOf(path, directoryLength), uid,
                state >= 0 && state < states.length ? states[state] : LocatorFiles.State.LIVE, regular, name);
    }

    static LocatorFiles.Chain read(String path, int maxLocators) {
        Object[] out = new Object[3];
        int count = (int) Status.check(NativeBuffers.locatorFileRead(path, maxLocators, out), 0, 0, 0);
        long[] b = (long[]) out[0];
        long[] i = (long[]) out[1];
        List<LocatorFiles.Locator> locators = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            int at = k * 6;
            locators.add(new LocatorFiles.Locator(b[at], b[at + 1], (int) b[at + 2], (int) b[at + 3], b[at + 4] != 0,
                    b[at + 5] != 0));
        }
        List<BufferInfo> buffers = new ArrayList<>(i.length / 5);
        for (int at = 0; at + 4 < i.length; at += 5) {
            buffers.add(new BufferInfo(i[at], i[at + 1], i[at + 2], i[at + 3] != 0, i[at + 4]));
        }
        return new LocatorFiles.Chain(Collections.unmodifiableList(locators), Collections.unmodifiableList(buffers),
                (String) out[2]);
    }

    static LocatorFiles.Removal removeIfStale(String path, boolean dryRun) {
        String[] why = {""};
        long removed = Status.check(NativeBuffers.locatorFileRemoveStale(path, dryRun, why), 0, 0, 0);
        return new LocatorFiles.Removal(removed == 1, removed == 1 ? "" : why[0]);
    }
}
