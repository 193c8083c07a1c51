package reloaded.memory.buffers;

import java.util.List;

/**
 * The route of {@link LocatorFiles} into the C core. This is the JDK 17 version: JNI. The
 * multi-release jar holds a JDK 22+ version (java/src/main/java22) that calls the C functions
 * through java.lang.foreign downcalls instead.
 */
final class LocatorRoute {
    private LocatorRoute() {
    }

    static String sharedRoot() {
        return LocatorJni.sharedRoot();
    }

    static List<LocatorFiles.Entry> list(String root) {
        return LocatorJni.list(root);
    }

    static LocatorFiles.Chain read(String path, int maxLocators) {
        return LocatorJni.read(path, maxLocators);
    }

    static LocatorFiles.Removal removeIfStale(String path, boolean dryRun) {
        return LocatorJni.removeIfStale(path, dryRun);
    }
}
