package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import reloaded.memory.buffers.BufferInfo;
import reloaded.memory.buffers.LocatorFiles.Chain;
import reloaded.memory.buffers.LocatorFiles.Entry;

/** {@code list}: every process with a locator file, live or stale, with what its first locator holds. */
final class ListCommand implements Command {
    @Override
    public String name() {
        return "list";
    }

    @Override
    public String summary() {
        return "every process with a locator file: state, buffers, bytes used and free";
    }

    @Override
    public String help() {
        return "usage: list [--json] [--root DIR]\n\n"
                + "Lists every locator file under DIR/.reloaded/memory.buffers and DIR/.reloaded-<uid>/memory.buffers\n"
                + "(DIR: --root, else $BUFFERS_SHARED_ROOT, else /tmp). State is live (the process runs and maps\n"
                + "the file), stale (no such process), pid-reused (the id now belongs to another process) or\n"
                + "foreign (no such process here, yet one elsewhere, another PID namespace, holds the file alive).\n"
                + "NAME is the process's command name now (\"?\" when unknown); DIR numbers the folder the file is in\n"
                + "(listed below the table; the full paths are in --json).\n"
                + "Counts come from the first locator (the file); a '+' after BUFFERS means the chain goes on in\n"
                + "the process's memory (see inspect; moreLocators in --json). Files of other users are often\n"
                + "unreadable. Tables give byte counts in KiB/MiB; --json gives exact numbers.\n"
                + Options.FILE_OPTIONS_HELP;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) throws Exception {
        options.expectPositional(0, "no arguments");
        LocatorFiles files = LocatorFiles.forRoot(options.root);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Entry e : files.list()) {
            rows.add(describe(e));
        }
        if (options.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("root", files.root().toString());
            report.put("processes", rows);
            out.println(Json.write(report));
            return 0;
        }
        printTable(rows, files, out);
        return 0;
    }

    /**
     * The text form, at most Main.WIDTH columns: counts of the first locator, "+" after the buffer
     * count when the chain goes on in the process's memory, byte counts in binary units, and the
     * folders the files are in below the table (the full paths are in --json).
     */
    private static void printTable(List<Map<String, Object>> rows, LocatorFiles files, PrintStream out) {
        if (rows.isEmpty()) {
            out.println("no locator files under " + files.root());
            return;
        }
        Table table = new Table("PID", "NAME", "STATE", "UID", "BUFFERS", "TAKEN", "USED", "FREE", "DIR", "NOTE");
        boolean longer = false;
        Set<String> folderSet = new TreeSet<>();
        rows.forEach(r -> folderSet.add((String) r.get("directory")));
        List<String> folders = new ArrayList<>(folderSet);
        for (Map<String, Object> r : rows) {
            Object name = r.get("processName"); // /proc/PID/comm: at most 15 characters
            Object dir = "[" + (folders.indexOf((String) r.get("directory")) + 1) + "]";
            if (!Boolean.TRUE.equals(r.get("readable"))) {
                table.row(r.get("pid"), name, r.get("state"), r.get("ownerUid"), "?", "?", "?", "?", dir, r.get("error"));
                continue;
            }
            boolean more = Boolean.TRUE.equals(r.get("moreLocators"));
            longer |= more;
            table.row(r.get("pid"), name, r.get("state"), r.get("ownerUid"), r.get("buffers") + (more ? "+" : ""),
                    r.get("taken"), Format.bytes(r.get("bytesUsed")), Format.bytes(r.get("bytesFree")), dir, "");
        }
        table.print(out, Main.WIDTH);
        if (longer) {
            out.println("+ the chain goes on past the first locator (in the process's memory); counts cover the");
            out.println("  first locator only: 'inspect PID' reads the whole chain");
        }
        for (int i = 0; i < folders.size(); i++) {
            out.println("[" + (i + 1) + "] files in " + folders.get(i));
        }
    }

    private static Map<String, Object> describe(Entry e) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pid", e.pid());
        r.put("processName", e.processName());
        r.put("state", e.state().label());
        r.put("ownerUid", e.ownerUid());
        r.put("file", e.path());
        r.put("directory", e.directory());
        try {
            Chain first = reloaded.memory.buffers.LocatorFiles.read(e.path(), 1); // the file alone
            r.put("readable", true);
            r.put("locatorAddress", Format.hex(first.locators().get(0).address()));
            r.put("buffers", first.buffers().size());
            r.put("taken", first.buffers().stream().filter(BufferInfo::taken).count());
            r.put("bytesUsed", first.buffers().stream().mapToLong(BufferInfo::position).sum());
            r.put("bytesFree", first.buffers().stream().mapToLong(b -> Math.max(0, b.bytesLeft())).sum());
            r.put("moreLocators", first.locators().get(0).nextAddress() != 0);
        } catch (RuntimeException ex) {
            r.put("readable", false);
            r.put("error", ex.getMessage() == null ? ex.toString() : ex.getMessage());
        }
        return r;
    }

    /** One buffer as a JSON object (shared by demo and inspect). */
    static Map<String, Object> itemJson(long base, long size, long position, boolean taken, long locator) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("locator", Format.hex(locator));
        m.put("base", Format.hex(base));
        m.put("size", size);
        m.put("used", position);
        m.put("free", Math.max(0, size - position));
        m.put("taken", taken);
        return m;
    }

    /** Buffers (as itemJson maps) as a table. */
    static Table itemTable(List<Map<String, Object>> items) {
        Table table = new Table("LOCATOR", "BASE", "SIZE", "USED", "FREE", "TAKEN");
        for (Map<String, Object> m : items) {
            table.row(m.get("locator"), m.get("base"), Format.bytes(m.get("size")), Format.bytes(m.get("used")),
                    Format.bytes(m.get("free")),
                    Boolean.TRUE.equals(m.get("taken")) ? "yes" : "no");
        }
        return table;
    }
}
