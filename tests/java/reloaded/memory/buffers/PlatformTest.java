package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** Folder names of the native library per platform. */
class PlatformTest {
    @Test
    void classifiesTheSupportedPlatforms() {
        assertEquals("linux-x86_64", Platform.classifier("Linux", "amd64"));
        assertEquals("linux-x86_64", Platform.classifier("Linux", "x86_64"));
        assertEquals("linux-x86", Platform.classifier("Linux", "i386"));
        assertEquals("linux-x86", Platform.classifier("Linux", "x86"));
        assertEquals("linux-aarch64", Platform.classifier("Linux", "aarch64"));
        assertEquals("windows-x86_64", Platform.classifier("Windows 11", "amd64"));
        assertEquals("windows-x86", Platform.classifier("Windows Server 2022", "x86"));
        assertEquals("macos-aarch64", Platform.classifier("Mac OS X", "aarch64"));
        // The names of the jar's macOS folders (scripts/macos-build.sh, build-natives.sh).
        assertEquals("macos-x86_64", Platform.classifier("Mac OS X", "x86_64"));
        assertEquals("macos-aarch64", Platform.classifier("Mac OS X", "arm64"));
        assertEquals("freebsd-x86_64", Platform.classifier("FreeBSD", "amd64"));
    }

    /**
     * The platform table's one home (native/platforms.txt, which the build scripts read): the loader
     * names every row from its JVM's os.name, os.arch and libc, and the platform this build makes
     * its library for (pom.xml's native.platform) is a row.
     */
    @Test
    void namesEveryRowOfThePlatformTable() throws IOException {
        String table = System.getProperty("buffers.platforms.table");
        assertTrue(table != null && Files.isRegularFile(java.nio.file.Path.of(table)),
                "no platform table at " + table + " (pom.xml sets buffers.platforms.table)");
        List<String> platforms = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(java.nio.file.Path.of(table))) {
            if (line.startsWith("#") || !line.contains("|")) {
                continue;
            }
            String[] column = line.split("\\|");
            String platform = column[0].trim();
            platforms.add(platform);
            assertEquals(platform, Platform.classifier(column[1].trim(), column[2].trim(),
                    column[3].trim().equals("musl")), "os.name '" + column[1].trim() + "', os.arch '"
                    + column[2].trim() + "' in " + table);
        }
        assertFalse(platforms.isEmpty(), "no rows in " + table);
        String built = System.getProperty("buffers.test.nativePlatform");
        assertTrue(platforms.contains(built), "pom.xml's native.platform '" + built + "' is not in " + table);
    }

    @Test
    void unknownValuesPassThroughCleaned() {
        assertEquals("sunos-sparcv9", Platform.classifier("SunOS", "sparcv9"));
        assertEquals("plan9-mips", Platform.classifier("Plan 9", "MIPS"));
    }

    @Test
    void thisMachineIsInTheJar() throws IOException {
        // Whatever JVM runs the suite (x86-64, the 32-bit one, aarch64 under qemu), its platform is
        // the classifier of its own os.name/os.arch and the jar's index lists it.
        String current = Platform.current();
        assertEquals(Platform.classifier(System.getProperty("os.name"), System.getProperty("os.arch"),
                Platform.runsOnMusl()), current);
        Properties index = new Properties();
        try (var in = Files.newInputStream(Isolated.classesDir().resolve("reloaded/memory/buffers/native/index.properties"))) {
            index.load(in);
        }
        assertTrue(List.of(index.getProperty("platforms").split(",")).contains(current),
                current + " not in " + index.getProperty("platforms"));
    }

    @Test
    void muslIsALinuxSuffix() {
        assertEquals("linux-x86_64-musl", Platform.classifier("Linux", "amd64", true));
        assertEquals("linux-aarch64-musl", Platform.classifier("Linux", "aarch64", true));
        assertEquals("linux-x86_64", Platform.classifier("Linux", "amd64", false));
        assertEquals("windows-x86_64", Platform.classifier("Windows 10", "amd64", true));
    }

    @Test
    void muslIsToldFromTheMappedLoader() {
        String alpine = "7f0e2c000000-7f0e2c014000 r--p 00000000 08:01 123 /lib/ld-musl-x86_64.so.1\n"
                + "7f0e2c100000-7f0e2c200000 r-xp 00000000 08:01 456 /usr/lib/jvm/java-17-openjdk/lib/server/libjvm.so\n";
        String debian = "7f0e2c000000-7f0e2c014000 r--p 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
                + "7f0e2d000000-7f0e2d001000 r--p 00000000 08:01 124 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
                + "7f0e2e000000-7f0e2e001000 rw-p 00000000 00:00 0 [heap]\n";
        assertTrue(Platform.mapsShowMusl(alpine));
        assertFalse(Platform.mapsShowMusl(debian));
        assertFalse(Platform.mapsShowMusl("7f0e2c000000-7f0e2c014000 r--p 00000000 08:01 9 /home/u/ld-musl-notes.txt.d/x.so\n"));
    }

    @Test
    void thisJvmsLibcIsToldRight() throws IOException {
        // glibc maps libc.so.6; musl maps only its loader, which is also its libc.
        boolean glibc = Files.readString(java.nio.file.Path.of("/proc/self/maps")).contains("/libc.so.6");
        assertEquals(!glibc, Platform.runsOnMusl());
    }
}
