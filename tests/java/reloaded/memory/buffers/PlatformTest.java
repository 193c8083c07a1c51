package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals("freebsd-x86_64", Platform.classifier("FreeBSD", "amd64"));
    }

    @Test
    void unknownValuesPassThroughCleaned() {
        assertEquals("sunos-sparcv9", Platform.classifier("SunOS", "sparcv9"));
        assertEquals("plan9-mips", Platform.classifier("Plan 9", "MIPS"));
    }

    @Test
    void thisMachineIsInTheJar() {
        // The build machine is x86-64 Linux; a 32-bit JVM on it (the linux-x86 run) is linux-x86.
        String expected = Isolated.is32BitJvm() ? "linux-x86" : "linux-x86_64";
        assertEquals(expected, Platform.current());
    }
}
