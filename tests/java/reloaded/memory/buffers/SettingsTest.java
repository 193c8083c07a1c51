package reloaded.memory.buffers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Settings records: proximity arithmetic (saturating, unsigned), defaults and validation. */
class SettingsTest {
    @Test
    void proximityIsTargetPlusMinusDistance() {
        BufferSearchSettings s = BufferSearchSettings.fromProximity(0x1000, 0x10000, 64);
        assertEquals(0xF000, s.minAddress());
        assertEquals(0x11000, s.maxAddress());
        assertEquals(64, s.size());
    }

    @Test
    void proximitySaturatesAtZeroAndAllOnes() {
        BufferSearchSettings low = BufferSearchSettings.fromProximity(0x7FFFFFFFL, 0x1000, 1);
        assertEquals(0, low.minAddress());
        BufferSearchSettings high = BufferSearchSettings.fromProximity(0x7FFFFFFFL, -16L, 1);
        assertEquals(-1L, high.maxAddress(), "max saturates at 0xFFFF_FFFF_FFFF_FFFF");
        assertEquals(-16L - 0x7FFFFFFFL, high.minAddress());
        BufferSearchSettings all = BufferSearchSettings.fromProximity(-1L, 0x8000_0000_0000_0000L, 1);
        assertEquals(0, all.minAddress());
        assertEquals(-1L, all.maxAddress());
    }

    @Test
    void searchSettingsRejectBadValues() {
        assertThrows(IllegalArgumentException.class, () -> new BufferSearchSettings(0, 100, 0));
        assertThrows(IllegalArgumentException.class, () -> new BufferSearchSettings(0, 100, -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BufferSearchSettings(200, 100, 1));
        assertTrue(e.getMessage().contains("minAddress"), e.getMessage());
        // unsigned: 0x8000... is above 0x7FFF...
        assertThrows(IllegalArgumentException.class,
                () -> new BufferSearchSettings(0x8000_0000_0000_0000L, Long.MAX_VALUE, 1));
        new BufferSearchSettings(Long.MAX_VALUE, 0x8000_0000_0000_0000L, 1); // fine unsigned
        assertThrows(IllegalArgumentException.class, () -> BufferSearchSettings.fromProximity(1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> BufferSearchSettings.defaults().withSize(0));
    }

    @Test
    void defaultsCoverTheWholeUserSpace() {
        BufferSearchSettings s = BufferSearchSettings.defaults();
        assertEquals(0, s.minAddress());
        assertEquals(Buffers.maxAddress(), s.maxAddress());
        assertEquals(4096, s.size());
        BufferAllocatorSettings a = BufferAllocatorSettings.defaults();
        assertEquals(0, a.minAddress());
        assertEquals(Buffers.maxAddress(), a.maxAddress());
        assertEquals(4096, a.size());
        assertEquals(0, a.targetProcessId());
        assertEquals(8, a.retryCount());
        assertTrue(a.bruteForce());
    }

    @Test
    void allocatorSettingsWithersChangeOneField() {
        BufferAllocatorSettings a = BufferAllocatorSettings.fromProximity(0x1000, 0x10000, 100);
        assertEquals(0xF000, a.minAddress());
        assertEquals(0x11000, a.maxAddress());
        BufferAllocatorSettings b = a.withSize(200).withRetryCount(3).withBruteForce(false).withTargetProcessId(7)
                .withRange(1, 2);
        assertEquals(200, b.size());
        assertEquals(3, b.retryCount());
        assertEquals(false, b.bruteForce());
        assertEquals(7, b.targetProcessId());
        assertEquals(1, b.minAddress());
        assertEquals(2, b.maxAddress());
        assertEquals(100, a.size(), "the original is unchanged");
        assertEquals(a, BufferAllocatorSettings.fromProximity(0x1000, 0x10000, 100));
        assertEquals(a.hashCode(), BufferAllocatorSettings.fromProximity(0x1000, 0x10000, 100).hashCode());
        assertNotEquals(a, b);
        assertTrue(a.toString().contains("0x000000000000f000"), a.toString());
    }

    @Test
    void allocatorSettingsRejectBadValues() {
        BufferAllocatorSettings a = BufferAllocatorSettings.fromProximity(0x1000, 0x10000, 100);
        assertThrows(IllegalArgumentException.class, () -> a.withSize(0));
        assertThrows(IllegalArgumentException.class, () -> a.withRetryCount(0));
        assertThrows(IllegalArgumentException.class, () -> a.withTargetProcessId(-1));
        assertThrows(IllegalArgumentException.class, () -> a.withRange(10, 9));
        assertThrows(IllegalArgumentException.class, () -> BufferAllocatorSettings.fromProximity(1, 1, -5));
    }
}
