package reloaded.memory.buffers;

import java.util.List;

/**
 * The route of {@link LocatorFiles} into the C core, JDK 22+ version (multi-release jar):
 * java.lang.foreign downcalls ({@link LocatorDowncalls}) where the loaded library exports the
 * functions on a 64-bit JVM, else the JNI calls of the JDK 17 version.
 */
final class LocatorRoute {
    private LocatorRoute() {
    }

    static String sharedRoot() {
        return LocatorDowncalls.SUPPORTED ? LocatorDowncalls.sharedRoot() : LocatorJni.sharedRoot();
    }

    static List<LocatorFiles.Entry> list(String root) {
        return LocatorDowncalls.SUPPORTED ? LocatorDowncalls.list(root) : LocatorJni.list(root);
    }

    static LocatorFiles.Chain read(String path, int maxLocators) {
        return LocatorDowncalls.SUPPORTED ? LocatorDowncalls.read(path, maxLocators) : LocatorJni.read(path, maxLocators);
    }

    static LocatorFiles.Removal removeIfStale(String path, boolean dryRun) {
        return LocatorDowncalls.SUPPORTED ? LocatorDowncalls.removeIfStale(path, dryRun)
                : LocatorJni.removeIfStale(path, dryRun);
    }
}
