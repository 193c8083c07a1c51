package reloaded.memory.buffers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferInfo;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;

/** The CLI's subcommands, in text and JSON, against real and synthetic locator files. */
class CliTest {
    @TempDir
    Path root;

    record Result(int code, String out, String err) {
        Map<String, Object> json() {
            return JsonParser.object(out);
        }
    }

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    @Test
    void usageAndHelp() {
        Result none = cli();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("usage:"), none.err());
        Result help = cli("--help");
        assertEquals(0, help.code());
        for (String c : new String[] {"demo", "list", "inspect", "cleanup"}) {
            assertTrue(help.out().contains("  " + c + " "), help.out());
            Result h = cli(c, "--help");
            assertEquals(0, h.code(), c);
            assertTrue(h.out().startsWith("usage: " + c), h.out());
            assertTrue(h.out().contains("--json"), h.out());
        }
        Result unknown = cli("frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
        Result badOption = cli("list", "--bogus");
        assertEquals(2, badOption.code());
        assertTrue(badOption.err().contains("unknown option --bogus"), badOption.err());
        assertEquals(2, cli("demo", "extra").code());
        assertEquals(2, cli("demo", "--root", "/tmp").code(), "demo takes no --root");
        assertEquals(2, cli("list", "--root").code());
    }

    @Test
    void demoText() {
        Result r = cli("demo");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("demo: all checks passed"), r.out());
        assertTrue(r.out().contains("near target (jmp rel32 within 2 GiB)"), r.out());
        assertTrue(r.out().contains("first 2 GiB"), r.out());
        assertFalse(r.out().contains("FAILED"), r.out());
    }

    @Test
    void demoJson() {
        Result r = cli("demo", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        Map<String, Object> j = r.json();
        assertEquals(true, j.get("ok"));
        assertEquals(ProcessHandle.current().pid(), j.get("pid"));
        assertEquals(Buffers.version(), j.get("version"));
        assertEquals(String.format("0x%016x", Buffers.locatorAddress()), j.get("locatorAddress"));
        List<Map<String, Object>> checks = list(j.get("checks"));
        assertEquals(3, checks.size());
        for (Map<String, Object> c : checks) {
            assertEquals(true, c.get("ok"), c.toString());
            assertTrue(((String) c.get("address")).matches("0x[0-9a-f]{16}"), c.toString());
            assertTrue((Long) c.get("distance") <= 0x7FFFFFFFL, c.toString());
        }
        assertFalse(list(j.get("buffers")).isEmpty());
    }

    @Test
    void listShowsThisProcessLive() {
        Buffers.locatorAddress();
        Path ownDir = Path.of(Buffers.locatorDirectory());
        Result r = cli("list", "--json", "--root", ownDir.getParent().getParent().toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> mine = list(r.json().get("processes")).stream()
                .filter(p -> ((Long) p.get("pid")) == ProcessHandle.current().pid()).findFirst()
                .orElseThrow(() -> new AssertionError("own process missing from " + r.out()));
        assertEquals("live", mine.get("state"));
        assertEquals(true, mine.get("readable"));
        assertEquals(String.format("0x%016x", Buffers.locatorAddress()), mine.get("locatorAddress"));
        Result text = cli("list", "--root", ownDir.getParent().getParent().toString());
        assertTrue(text.out().startsWith("PID"), text.out());
        assertTrue(text.out().contains(" live "), text.out());
    }

    @Test
    void listSyntheticFiles() throws Exception {
        int dead = LocatorFixture.deadPid();
        LocatorFixture.write(root, ".reloaded", dead, LocatorFixture.block(8, 0x7f0000001000L, 0,
                new long[] {0x10000000L, 0, 4096, 96}, new long[] {0x20000000L, 1, 4096, 4096}));
        byte[] corrupt = LocatorFixture.block(8, 0x1000, 0);
        corrupt[16] = 7; // the lock field in the 64-bit layout
        corrupt[8] = 7; // and in the 32-bit layout

        LocatorFixture.write(root, ".reloaded-12345", dead + 1, corrupt);
        Process other = new ProcessBuilder("sleep", "60").start(); // runs, but maps no locator file
        LocatorFixture.write(root, ".reloaded", (int) other.pid(), LocatorFixture.block(8, 0x7f0000001000L, 0));
        Files.writeString(root.resolve(".reloaded/memory.buffers/unrelated.txt"), "x");

        Result r;
        try {
            r = cli("list", "--json", "--root", root.toString());
        } finally {
            other.destroyForcibly();
        }
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> processes = list(r.json().get("processes"));
        assertEquals(3, processes.size(), r.out());
        Map<String, Object> reused = processes.get(0);
        assertEquals(other.pid(), reused.get("pid"));
        assertEquals("pid-reused", reused.get("state"), "the process runs but does not map our file");
        Map<String, Object> stale = processes.get(1);
        assertEquals((long) dead, stale.get("pid"));
        assertEquals("stale", stale.get("state"));
        assertEquals(2L, stale.get("buffers"));
        assertEquals(1L, stale.get("taken"));
        assertEquals(4192L, stale.get("bytesUsed"));
        assertEquals(4000L, stale.get("bytesFree"));
        Map<String, Object> bad = processes.get(2);
        assertEquals(false, bad.get("readable"));
        assertTrue(((String) bad.get("error")).contains("not a locator"), bad.toString());

        Result text = cli("list", "--root", root.toString());
        assertTrue(text.out().contains("stale") && text.out().contains("?"), text.out());
        Result empty = cli("list", "--root", Files.createDirectory(root.resolve("nothing")).toString());
        assertTrue(empty.out().startsWith("no locator files"), empty.out());
    }

    @Test
    void inspectThisProcessFollowsTheChain() {
        // Fill more than one locator (203 items, 255 in a 32-bit process) so that the chain continues
        // in memory.
        int perLocator = "32".equals(System.getProperty("sun.arch.data.model")) ? 255 : 203;
        BufferSearchSettings page = BufferSearchSettings.defaults().withSize(4096);
        while (Buffers.listBuffers().size() <= perLocator) {
            try (Buffer b = Buffers.getBuffer(page)) {
                b.append(new byte[(int) b.bytesLeft()]);
            }
        }
        List<BufferInfo> expected = Buffers.listBuffers();
        String rootDir = Path.of(Buffers.locatorDirectory()).getParent().getParent().toString();
        long pid = ProcessHandle.current().pid();
        Result r = cli("inspect", Long.toString(pid), "--json", "--root", rootDir);
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = r.json();
        assertEquals(true, j.get("complete"), r.out());
        List<Map<String, Object>> locators = list(j.get("locators"));
        assertTrue(locators.size() >= 2, r.out());
        assertEquals("file", locators.get(0).get("source"));
        assertEquals("/proc/" + pid + "/mem", locators.get(1).get("source"));
        List<Map<String, Object>> buffers = list(j.get("buffers"));
        assertTrue(buffers.size() >= expected.size(), buffers.size() + " < " + expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(String.format("0x%016x", expected.get(i).baseAddress()), buffers.get(i).get("base"));
            assertEquals(expected.get(i).size(), buffers.get(i).get("size"));
            assertEquals(String.format("0x%016x", expected.get(i).locatorAddress()), buffers.get(i).get("locator"));
        }
        Result text = cli("inspect", Long.toString(pid), "--root", rootDir);
        assertTrue(text.out().contains("LOCATOR") && text.out().contains("(live)"), text.out());
    }

    @Test
    void inspectStaleAndBadArguments() throws Exception {
        int dead = LocatorFixture.deadPid();
        LocatorFixture.write(root, ".reloaded", dead, LocatorFixture.block(8, 0x7f0000001000L, 0x7f0000009000L,
                new long[] {0x10000000L, 0, 4096, 10}));
        Result r = cli("inspect", Integer.toString(dead), "--json", "--root", root.toString());
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = r.json();
        assertEquals(false, j.get("complete"));
        assertTrue(((String) j.get("note")).contains("gone"), r.out());
        assertEquals(1, list(j.get("buffers")).size());
        assertEquals(4086L, list(j.get("buffers")).get(0).get("free"));

        assertEquals(1, cli("inspect", Integer.toString(dead + 5), "--root", root.toString()).code());
        assertEquals(2, cli("inspect", "abc").code());
        assertEquals(2, cli("inspect", "-5").code());
        assertEquals(2, cli("inspect", "0").code());
        assertEquals(2, cli("inspect").code());
        assertEquals(2, cli("inspect", "1", "2").code());
    }

    @Test
    void cleanupRemovesOnlyOwnStaleFiles() throws Exception {
        int dead = LocatorFixture.deadPid();
        byte[] block = LocatorFixture.block(8, 0x7f0000001000L, 0);
        Path stale = LocatorFixture.write(root, ".reloaded", dead, block);
        Process other = new ProcessBuilder("sleep", "60").start();
        Path reused = LocatorFixture.write(root, ".reloaded", (int) other.pid(), block);
        Path foreign = LocatorFixture.write(root, ".reloaded-4242", dead + 1, block);
        Files.setAttribute(foreign, "unix:uid", 4242); // needs root, like the C core's own tests
        Path live = Path.of(Buffers.locatorDirectory(),
                LocatorFiles.PREFIX + ProcessHandle.current().pid());
        Path liveCopy = LocatorFixture.write(root, ".reloaded", (int) ProcessHandle.current().pid(),
                Files.readAllBytes(live));

        Result r;
        try {
            r = cli("cleanup", "--json", "--root", root.toString());
        } finally {
            other.destroyForcibly();
        }
        assertEquals(0, r.code(), r.err());
        Map<String, Object> j = r.json();
        List<Map<String, Object>> removed = list(j.get("removed"));
        assertEquals(1, removed.size(), r.out());
        assertEquals(stale.toString(), removed.get(0).get("file"));
        assertEquals(3L, j.get("kept"));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(reused) && Files.exists(foreign) && Files.exists(liveCopy));

        other.waitFor();
        Result again = cli("cleanup", "--root", root.toString());
        assertEquals(0, again.code());
        assertTrue(again.out().contains("1 stale file(s) removed"), again.out());
        assertFalse(Files.exists(reused), "once its process is gone the file is stale");
        assertTrue(Files.exists(foreign) && Files.exists(liveCopy));
    }
}
