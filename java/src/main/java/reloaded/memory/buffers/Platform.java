package reloaded.memory.buffers;

import java.util.Locale;

/** The {@code <os>-<arch>} folder name of the native library for a JVM; pure functions. */
final class Platform {
    private Platform() {
    }

    /** The platform of the running JVM, e.g. "linux-x86_64". */
    static String current() {
        return classifier(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    /** The platform for an os.name and os.arch pair; unknown values pass through lower-cased. */
    static String classifier(String osName, String osArch) {
        return os(osName) + "-" + arch(osArch);
    }

    static String os(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return "linux";
        }
        if (name.startsWith("windows")) {
            return "windows";
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return "macos";
        }
        if (name.startsWith("freebsd")) {
            return "freebsd";
        }
        return name.replaceAll("[^a-z0-9]+", "");
    }

    static String arch(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
            case "x64":
                return "x86_64";
            case "x86":
            case "i386":
            case "i486":
            case "i586":
            case "i686":
                return "x86";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return arch.replaceAll("[^a-z0-9_]+", "");
        }
    }
}
