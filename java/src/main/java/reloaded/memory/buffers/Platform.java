package reloaded.memory.buffers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code <os>-<arch>[-musl]} folder name of the native library for a JVM. Pure functions,
 * except {@link #current()}, which reads {@code /proc/self/maps} on Linux to tell musl from glibc.
 */
final class Platform {
    static final String MUSL_SUFFIX = "-musl";

    private Platform() {
    }

    /** The platform of the running JVM, e.g. "linux-x86_64", or "linux-x86_64-musl" on Alpine. */
    static String current() {
        String os = System.getProperty("os.name", "");
        return classifier(os, System.getProperty("os.arch", ""), os(os).equals("linux") && runsOnMusl());
    }

    /** The platform for an os.name and os.arch pair; unknown values pass through lower-cased. */
    static String classifier(String osName, String osArch) {
        return os(osName) + "-" + arch(osArch);
    }

    /** As {@link #classifier(String, String)}, with "-musl" appended for a Linux on musl libc. */
    static String classifier(String osName, String osArch, boolean musl) {
        String base = classifier(osName, osArch);
        return musl && base.startsWith("linux-") ? base + MUSL_SUFFIX : base;
    }

    static boolean isMuslPlatform(String platform) {
        return platform.endsWith(MUSL_SUFFIX);
    }

    /** Whether this process's C library is musl: its loader is mapped as ld-musl-*.so. */
    static boolean runsOnMusl() {
        try {
            return mapsShowMusl(new String(Files.readAllBytes(Path.of("/proc/self/maps")), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether a /proc/PID/maps text maps musl's libc (which is also its loader, ld-musl-ARCH.so.1). */
    static boolean mapsShowMusl(String maps) {
        for (String line : maps.split("\n")) {
            int slash = line.lastIndexOf('/');
            String file = slash < 0 ? "" : line.substring(slash + 1);
            if (file.startsWith("ld-musl-") || file.startsWith("libc.musl-")) {
                return true;
            }
        }
        return false;
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
