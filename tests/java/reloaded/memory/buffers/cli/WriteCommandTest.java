package reloaded.memory.buffers.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import reloaded.memory.buffers.remote.Targets;

/** {@code write PID --near ADDRESS --hex BYTES} against a child JVM, and its refusals. */
class WriteCommandTest {
    private static final byte[] NOP_NOP_RET = {(byte) 0x90, (byte) 0x90, (byte) 0xC3};

    @Test
    void textPrintsTheAddressTheBytesWentToInsideTheWindow() throws Exception {
        Targets.assumeProcessBuffersWork();
        try (Targets.Target target = Targets.startJvm()) {
            CliTest.Result r = CliTest.cli("write", Long.toString(target.pid()), "--near",
                    Format.hex(target.bufferAddress()), "--hex", "90 90 c3");
            assertEquals(0, r.code(), r.out() + r.err());
            String line = r.out().trim();
            assertTrue(line.matches("0x[0-9a-f]{16}"), line);
            long at = Long.parseUnsignedLong(line.substring(2), 16);
            long near = target.bufferAddress();
            assertTrue(Targets.inWindow(at, near - 0x7FFFFFFFL, near + 0x7FFFFFFFL), line);
            assertArrayEquals(NOP_NOP_RET, Targets.read(target.pid(), at, 3));
        }
    }

    @Test
    void jsonReportsAddressPidSizeNearAndDistance() throws Exception {
        Targets.assumeProcessBuffersWork();
        try (Targets.Target target = Targets.startJvm()) {
            long near = target.bufferAddress();
            CliTest.Result r = CliTest.cli("write", Long.toString(target.pid()), "--near", Long.toUnsignedString(near),
                    "--distance", "0x10000000", "--hex", "DEADBEEF0102", "--code", "--json");
            assertEquals(0, r.code(), r.out() + r.err());
            Map<String, Object> json = r.json();
            String address = (String) json.get("address");
            long at = Long.parseUnsignedLong(address.substring(2), 16);
            assertEquals(target.pid(), ((Number) json.get("pid")).longValue());
            assertEquals(6, ((Number) json.get("size")).intValue());
            assertEquals(Format.hex(near), json.get("near"));
            assertEquals(0x10000000L, ((Number) json.get("distance")).longValue());
            assertEquals(Boolean.TRUE, json.get("code"));
            assertTrue(Targets.inWindow(at, near - 0x10000000L, near + 0x10000000L), address);
            byte[] expected = {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 1, 2};
            assertArrayEquals(expected, Targets.read(target.pid(), at, 6));
        }
    }

    @Test
    void badArgumentsAreUsageErrors() {
        String[][] cases = {
            {"--hex: '909' has an odd number of hex digits", "write", "123", "--near", "0x1000", "--hex", "909"},
            {"--hex: 'zz' is not a hexadecimal byte", "write", "123", "--near", "0x1000", "--hex", "90zz"},
            {"--hex: no bytes given", "write", "123", "--near", "0x1000", "--hex", "  "},
            {"--near ADDRESS is required", "write", "123", "--hex", "90"},
            {"--hex BYTES is required", "write", "123", "--near", "4096"},
            {"--near needs a value", "write", "123", "--hex", "90", "--near"},
            {"PID must be a positive integer, was 'abc'", "write", "abc", "--near", "0x1000", "--hex", "90"},
            {"PID must be a positive integer, was '0'", "write", "0", "--near", "0x1000", "--hex", "90"},
            {"expected a process id, got nothing", "write", "--near", "0x1000", "--hex", "90"},
            {"--near must be an unsigned 64-bit number", "write", "123", "--near", "0xZZ", "--hex", "90"},
            {"--near must be an unsigned 64-bit number", "write", "123", "--near", "-5", "--hex", "90"},
            {"--distance must be an unsigned 64-bit number", "write", "123", "--near", "1", "--distance", "x",
                "--hex", "90"},
            {"--hex: 65537 bytes are more than one write takes (65536)", "write", "123", "--near", "1", "--hex",
                "00".repeat(65537)},
            {"unknown option --root", "write", "123", "--near", "1", "--hex", "90", "--root", "/tmp"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            CliTest.Result text = CliTest.cli(args);
            assertEquals(2, text.code(), String.join(" ", args) + ": " + text.err());
            assertTrue(text.err().startsWith("write: " + c[0]), text.err());
            String[] withJson = java.util.Arrays.copyOf(args, args.length + 1);
            withJson[args.length] = "--json";
            CliTest.Result json = CliTest.cli(withJson);
            assertEquals(2, json.code(), json.out());
            assertTrue(((String) json.json().get("error")).startsWith(c[0]), json.out());
            assertEquals(2, ((Number) json.json().get("exitCode")).intValue());
        }
    }

    @Test
    void processThatDoesNotExistFailsWithOneLine() throws Exception {
        String dead = Long.toString(Targets.deadPid());
        CliTest.Result text = CliTest.cli("write", dead, "--near", "0x1000", "--hex", "90");
        assertEquals(1, text.code(), text.out() + text.err());
        assertEquals(1, text.err().lines().count(), text.err());
        assertTrue(text.err().contains("no such process: " + dead), text.err());
        CliTest.Result json = CliTest.cli("write", dead, "--near", "0x1000", "--hex", "90", "--json");
        assertEquals(1, json.code(), json.out());
        assertTrue(((String) json.json().get("error")).contains("no such process: " + dead), json.out());
        assertEquals("write", json.json().get("command"));
    }

    @Test
    void helpNamesEveryOption() {
        CliTest.Result help = CliTest.cli("write", "--help");
        assertEquals(0, help.code());
        for (String option : new String[] {"--near", "--distance", "--hex", "--code", "--json"}) {
            assertTrue(help.out().contains(option), help.out());
        }
        assertTrue(CliTest.cli("--help").out().contains("  write "), "listed in the usage");
    }
}
