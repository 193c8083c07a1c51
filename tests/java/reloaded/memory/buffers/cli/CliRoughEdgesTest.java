package reloaded.memory.buffers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static reloaded.memory.buffers.cli.CliTest.cli;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reloaded.memory.buffers.cli.CliTest.Result;

/** Issue 20, point 9: did-you-mean, a missing --root, options before the command, a repeated option. */
class CliRoughEdgesTest {
    @TempDir
    Path root;

    @Test
    void aMistypedCommandGetsADidYouMeanNotTheWholeUsage() {
        Result r = cli("lst");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("unknown command 'lst'; did you mean 'list'?"), r.err());
        assertFalse(r.err().contains("exit codes:"), "one short hint, not the whole usage\n" + r.err());
        assertTrue(r.err().contains("--help"), r.err());
        Result json = cli("inspct", "--json");
        assertEquals("unknown command 'inspct'; did you mean 'inspect'?", json.json().get("error"));
        Result far = cli("frobnicate");
        assertTrue(far.err().startsWith("unknown command 'frobnicate'\n"), "no guess when nothing is close\n" + far.err());
    }

    @Test
    void aRootThatDoesNotExistIsAnError() {
        String missing = root.resolve("nonexistent").toString();
        for (String command : new String[] {"list", "cleanup"}) {
            Result r = cli(command, "--root", missing);
            assertEquals(1, r.code(), command + ": " + r.err());
            assertTrue(r.err().contains("--root " + missing + ": no such directory"), r.err());
        }
        Result json = cli("list", "--json", "--root=" + missing);
        assertEquals(1, json.code());
        assertEquals("--root " + missing + ": no such directory", json.json().get("error"));
        assertEquals(0, cli("list", "--root", root.toString()).code(), "an existing empty root is fine");
    }

    @Test
    void optionsMayComeBeforeTheCommand() {
        Result r = cli("--json", "list", "--root", root.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(root.toString(), r.json().get("root"));
        Result rootFirst = cli("--root", root.toString(), "--json", "list");
        assertEquals(0, rootFirst.code(), rootFirst.err());
        assertEquals(root.toString(), rootFirst.json().get("root"));
        Result version = cli("--json", "--version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.json().containsKey("nativeVersion"), version.out());
        Result unknown = cli("--json", "lst");
        assertEquals(2, unknown.code());
        assertEquals("unknown command 'lst'; did you mean 'list'?", unknown.json().get("error"));
    }

    @Test
    void anOptionGivenTwiceIsRefused() {
        // A process id that cannot exist: were the check gone, nothing would be written anywhere.
        Result hex = cli("write", "999999999", "--near", "0x10000", "--hex", "90", "--hex", "c3");
        assertEquals(2, hex.code(), hex.err());
        assertTrue(hex.err().startsWith("write: --hex given twice"), hex.err());
        Result mixed = cli("write", "999999999", "--near", "0x10000", "--hex=90", "--hex", "c3", "--json");
        assertEquals("--hex given twice", mixed.json().get("error"));
        Result twoRoots = cli("list", "--root", root.toString(), "--root", root.toString());
        assertEquals(2, twoRoots.code());
        assertTrue(twoRoots.err().startsWith("list: --root given twice"), twoRoots.err());
    }

    @Test
    void listNamesEachFilesFolderAndProcess() throws Exception {
        int dead = LocatorFixture.deadPid();
        LocatorFixture.write(root, ".reloaded", dead, LocatorFixture.block(8, 0x7f0000001000L, 0));
        LocatorFixture.write(root, ".reloaded-4242", dead + 1, LocatorFixture.block(8, 0x7f0000001000L, 0));
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        Result r;
        Result json;
        try {
            LocatorFixture.write(root, ".reloaded", (int) sleeper.pid(), LocatorFixture.block(8, 0x7f0000001000L, 0));
            r = cli("list", "--root", root.toString());
            json = cli("list", "--json", "--root", root.toString());
        } finally {
            sleeper.destroyForcibly();
        }
        assertEquals(0, r.code(), r.err());
        String shared = label(r.out(), root.resolve(".reloaded/memory.buffers").toString());
        String perUser = label(r.out(), root.resolve(".reloaded-4242/memory.buffers").toString());
        String sleeperRow = r.out().lines().filter(l -> l.startsWith(sleeper.pid() + " ")).findFirst().orElseThrow();
        assertTrue(sleeperRow.contains(" sleep ") && sleeperRow.contains(" " + shared), sleeperRow);
        String perUserRow = r.out().lines().filter(l -> l.startsWith((dead + 1) + " ")).findFirst().orElseThrow();
        assertTrue(perUserRow.contains(" ? ") && perUserRow.contains(" " + perUser),
                "a dead process has no name\n" + perUserRow);
        for (Map<String, Object> p : CliTest.list(json.json().get("processes"))) {
            String file = (String) p.get("file");
            assertEquals(file.substring(0, file.lastIndexOf('/')), p.get("directory"), p.toString());
            assertTrue(p.containsKey("processName"), p.toString());
        }
    }

    /** The "[n]" the text list gives folder, from its "[n] files in FOLDER" line. */
    private static String label(String out, String folder) {
        return out.lines().filter(l -> l.endsWith("] files in " + folder)).map(l -> l.substring(0, l.indexOf(']') + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no line for " + folder + "\n" + out));
    }

    @Test
    void demoPrintsDistancesForPeople() {
        Result r = cli("demo");
        assertEquals(0, r.code(), r.out() + r.err());
        assertFalse(r.out().contains(" bytes "), "no raw byte counts\n" + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(".*\\d+(\\.\\d)? (B|KiB|MiB|GiB) \\(0x[0-9a-f]+\\).*")),
                r.out());
        assertEquals("1.2 GiB (0x4c4b4000)", Format.distance(0x4c4b4000L));
        assertEquals("512 B (0x200)", Format.distance(512));
    }
}
