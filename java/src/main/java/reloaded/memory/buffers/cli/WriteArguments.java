package reloaded.memory.buffers.cli;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Parsing of {@code write}'s arguments: addresses and distances, and the bytes of --hex. Pure functions. */
final class WriteArguments {
    /** The most bytes one write takes: they must fit one buffer, and a command line is no place for more. */
    static final int MAX_BYTES = 65536;

    private WriteArguments() {
    }

    /**
     * An unsigned 64-bit number, hexadecimal with 0x (or 0X) or decimal.
     *
     * @param option the option it came from, for the message
     */
    static long unsigned(String option, String text) throws Options.UsageException {
        boolean hex = text.startsWith("0x") || text.startsWith("0X");
        String digits = hex ? text.substring(2) : text;
        try {
            if (digits.isEmpty() || digits.startsWith("+") || digits.startsWith("-")) {
                throw new NumberFormatException();
            }
            return Long.parseUnsignedLong(digits, hex ? 16 : 10);
        } catch (NumberFormatException e) {
            throw new Options.UsageException(option + " must be an unsigned 64-bit number, hexadecimal with 0x or "
                    + "decimal, was '" + text + "'");
        }
    }

    /**
     * The bytes of "90 90 c3" or "9090c3": groups of hex digits separated by whitespace, each an
     * even number of digits; at least one byte, at most {@link #MAX_BYTES}.
     */
    static byte[] hexBytes(String text) throws Options.UsageException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String group : groups(text.trim())) {
            if (group.length() % 2 != 0) {
                throw new Options.UsageException("--hex: '" + group + "' has an odd number of hex digits ("
                        + group.length() + "); write each byte as two digits");
            }
            for (int i = 0; i < group.length(); i += 2) {
                int high = hexDigit(group.charAt(i));
                int low = hexDigit(group.charAt(i + 1));
                if (high < 0 || low < 0) {
                    throw new Options.UsageException("--hex: '" + group.substring(i, i + 2)
                            + "' is not a hexadecimal byte (in '" + group + "')");
                }
                bytes.write(high << 4 | low);
            }
        }
        if (bytes.size() == 0) {
            throw new Options.UsageException("--hex: no bytes given");
        }
        if (bytes.size() > MAX_BYTES) {
            throw new Options.UsageException("--hex: " + bytes.size() + " bytes are more than one write takes ("
                    + MAX_BYTES + ")");
        }
        return bytes.toByteArray();
    }

    /** The whitespace-separated groups of the text (a loop: a regex split costs milliseconds at start-up). */
    private static List<String> groups(String text) {
        List<String> groups = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean space = i == text.length() || " \t\n\u000B\f\r".indexOf(text.charAt(i)) >= 0; // regex \s
            if (space && start >= 0) {
                groups.add(text.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return groups;
    }

    /** 0-15 for an ASCII hex digit, else -1 (Character.digit would take other scripts' digits too). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char lower = (char) (c | 0x20); // ASCII letters only: other characters stay outside a-f
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    /** near - distance, or 0 below zero (unsigned). */
    static long windowMin(long near, long distance) {
        return Long.compareUnsigned(near, distance) < 0 ? 0 : near - distance;
    }

    /** near + distance, or maxAddress when that is higher or overflows (unsigned). */
    static long windowMax(long near, long distance, long maxAddress) {
        long sum = near + distance;
        boolean overflow = Long.compareUnsigned(sum, near) < 0;
        return overflow || Long.compareUnsigned(sum, maxAddress) > 0 ? maxAddress : sum;
    }
}
