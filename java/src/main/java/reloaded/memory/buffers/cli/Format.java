package reloaded.memory.buffers.cli;

import java.util.Locale;

/**
 * How the CLI prints numbers: addresses unsigned, 0x-prefixed, 16 hex digits (also in JSON, as
 * strings); byte counts in tables with binary units (JSON keeps exact numbers).
 */
final class Format {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Format() {
    }

    /** "0x" and 16 hex digits (by hand: String.format loads the Formatter and regex at start-up). */
    static String hex(long address) {
        String digits = Long.toHexString(address);
        return "0x" + "0000000000000000".substring(digits.length()) + digits;
    }

    /** A byte count for people: "512 B", "4.0 KiB", "1.5 MiB". */
    static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit + 1 < UNITS.length) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    /** A distance between addresses for people, with the exact count in hex: "1.2 GiB (0x4c4b4000)". */
    static String distance(long count) {
        return bytes(count) + " (0x" + Long.toHexString(count) + ")";
    }

    /** As {@link #bytes(long)} for a Number from a report map; "?" when absent. */
    static String bytes(Object count) {
        return count instanceof Number ? bytes(((Number) count).longValue()) : "?";
    }
}
