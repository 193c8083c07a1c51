package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLClassLoader;

import org.junit.jupiter.api.Test;

/** Buffers.isAvailable / unavailabilityCause: a probe that never throws (netty's style). */
class AvailabilityTest {
    @Test
    void availableHere() {
        assertTrue(Buffers.isAvailable());
        assertNull(Buffers.unavailabilityCause());
    }

    @Test
    void unavailableForAPlatformTheJarLacksAndSaysWhy() throws Throwable {
        String before = System.getProperty(NativeLoader.PLATFORM_PROPERTY);
        System.setProperty(NativeLoader.PLATFORM_PROPERTY, "plan9-mips");
        try (URLClassLoader fresh = Isolated.loader(Isolated.classesDir())) {
            Object available = Isolated.callBuffers(fresh, "isAvailable", new Class<?>[0]);
            Object cause = Isolated.callBuffers(fresh, "unavailabilityCause", new Class<?>[0]);
            assertEquals(Boolean.FALSE, available);
            assertTrue(cause instanceof UnsatisfiedLinkError, String.valueOf(cause));
            assertTrue(((Throwable) cause).getMessage().contains("'plan9-mips'"), ((Throwable) cause).getMessage());
            // still unavailable on a second probe, with the same cause
            assertFalse((Boolean) Isolated.callBuffers(fresh, "isAvailable", new Class<?>[0]));
        } finally {
            if (before == null) {
                System.clearProperty(NativeLoader.PLATFORM_PROPERTY);
            } else {
                System.setProperty(NativeLoader.PLATFORM_PROPERTY, before);
            }
        }
    }
}
