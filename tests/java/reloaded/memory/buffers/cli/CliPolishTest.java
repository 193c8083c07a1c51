package reloaded.memory.buffers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static reloaded.memory.buffers.cli.CliTest.cli;
import static reloaded.memory.buffers.cli.CliTest.list;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.cli.CliTest.Result;

/** --version, cleanup --dry-run, the 100-column list, units, JSON errors, "no such process", exit codes. */
class CliPolishTest {
    @TempDir
    Path root;

    @Test
    void versionNamesTheJarAndTheNativeLibrary() {
        Result text = cli("--version");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith("reloaded-memory-buffers "), text.out());
        assertTrue(text.out().contains("native libbuffers " + Buffers.version()), text.out());
        Result json = cli("--version", "--json");
        assertEquals(0, json.code(), json.err());
        Map<String, Object> j = json.json();
        assertEquals(true, j.get("nativeAvailable"));
        assertEquals(Buffers.version(), j.get("nativeVersion"));
        assertEquals(null, j.get("unavailabilityCause"));
    }

    @Test
    void cleanupDryRunRemovesNothingAndSaysWhatWouldGo() throws Exception {
        Path stale = LocatorFixture.write(root, ".reloaded", LocatorFixture.deadPid(),
                LocatorFixture.block(8, 0x7f0000001000L, 0));
        Result dry = cli("cleanup", "--dry-run", "--json", "--root", root.toString());
        assertEquals(0, dry.code(), dry.err());
        Map<String, Object> j = dry.json();
        assertEquals(true, j.get("dryRun"));
        assertEquals(stale.toString(), list(j.get("wouldRemove")).get(0).get("file"));
        assertTrue(list(j.get("removed")).isEmpty());
        assertTrue(Files.exists(stale), "a dry run deletes nothing");
        Result text = cli("cleanup", "--dry-run", "--root", root.toString());
        assertTrue(text.out().contains("would remove " + stale) && text.out().contains("dry run: 1 stale file(s) would"),
                text.out());
        assertTrue(Files.exists(stale));
        assertEquals(0, cli("cleanup", "--root", root.toString()).code());
        assertFalse(Files.exists(stale), "without --dry-run it goes");
        assertEquals(2, cli("list", "--dry-run").code(), "only cleanup takes --dry-run");
    }

    @Test
    void listFitsIn100ColumnsMarksLongerChainsAndUsesUnits() throws Exception {
        int dead = LocatorFixture.deadPid();
        // a first locator that points at a second one: the file alone cannot give the full count
        LocatorFixture.write(root, ".reloaded", dead, LocatorFixture.block(8, 0x7f0000001000L, 0x7f0000002000L,
                new long[] {0x10000000L, 0, 65536, 1536}, new long[] {0x20000000L, 1, 1 << 20, 4096}));
        byte[] corrupt = LocatorFixture.block(8, 0x1000, 0);
        corrupt[16] = 7;
        corrupt[8] = 7;
        LocatorFixture.write(root, ".reloaded-12345", dead + 1, corrupt);
        Result r = cli("list", "--root", root.toString());
        assertEquals(0, r.code(), r.err());
        for (String line : r.out().split("\n")) {
            assertTrue(line.length() <= 100, "line of " + line.length() + " columns: " + line);
        }
        String row = r.out().lines().filter(l -> l.startsWith(Integer.toString(dead) + " ")).findFirst().orElseThrow();
        assertTrue(row.contains(" 2+ "), row);
        assertTrue(row.contains("5.5 KiB") && row.contains("1.1 MiB"), row); // used 1536+4096; free 64000+1044480 = 1.06 MiB
        assertTrue(r.out().contains("+ the chain goes on past the first locator"), r.out());
        assertTrue(r.out().contains("files in " + root.resolve(".reloaded/memory.buffers")), r.out());
        Map<String, Object> mine = list(cli("list", "--json", "--root", root.toString()).json().get("processes"))
                .stream().filter(p -> ((Long) p.get("pid")) == dead).findFirst().orElseThrow();
        assertEquals(5632L, mine.get("bytesUsed"), "JSON keeps exact numbers");
        assertEquals(true, mine.get("moreLocators"));
    }

    @Test
    void bytesInBinaryUnits() {
        assertEquals("0 B", Format.bytes(0));
        assertEquals("1023 B", Format.bytes(1023));
        assertEquals("1.0 KiB", Format.bytes(1024));
        assertEquals("1.5 KiB", Format.bytes(1536));
        assertEquals("64.0 KiB", Format.bytes(65536));
        assertEquals("5.0 GiB", Format.bytes(5L << 30));
        assertEquals("?", Format.bytes((Object) null));
    }

    @Test
    void errorsAreJsonUnderJson() {
        Result option = cli("list", "--bogus", "--json");
        assertEquals(2, option.code());
        assertEquals("", option.err());
        Map<String, Object> j = option.json();
        assertEquals("unknown option --bogus", j.get("error"));
        assertEquals("list", j.get("command"));
        assertEquals(2L, j.get("exitCode"));
        Result command = cli("frobnicate", "--json");
        assertEquals(2, command.code());
        assertEquals("unknown command 'frobnicate'", command.json().get("error"));
        Result pid = cli("inspect", "abc", "--json");
        assertEquals(2, pid.code());
        assertTrue(((String) pid.json().get("error")).contains("positive integer"), pid.out());
    }

    @Test
    void inspectSaysWhenThereIsNoSuchProcess() {
        Result text = cli("inspect", "999999999", "--root", root.toString());
        assertEquals(1, text.code());
        assertTrue(text.err().contains("no such process: 999999999"), text.err());
        Result json = cli("inspect", "999999999", "--json", "--root", root.toString());
        assertEquals(1, json.code());
        assertTrue(((String) json.json().get("error")).startsWith("no such process: 999999999"), json.out());
        String self = Long.toString(ProcessHandle.current().pid());
        Result running = cli("inspect", self, "--root", root.toString());
        assertEquals(1, running.code());
        assertTrue(running.err().contains("process " + self + " runs but has no locator file"), running.err());
    }

    @Test
    void helpListsTheExitCodes() {
        for (List<String> args : List.of(List.of("--help"), List.of("list", "--help"), List.of("cleanup", "--help"))) {
            Result r = cli(args.toArray(new String[0]));
            assertEquals(0, r.code(), args.toString());
            assertTrue(r.out().contains("exit codes:") && r.out().contains("  1  failed")
                    && r.out().contains("  2  usage error"), r.out());
        }
        assertTrue(cli("cleanup", "--help").out().contains("--dry-run"));
    }
}
