package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                + "the file), stale (no such process) or pid-reused (the id now belongs to another process).\n"
                + "Counts come from the first locator (the file); files of other users are often unreadable.\n"
                + Options.FILE_OPTIONS_HELP;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) throws Exception {
        options.expectPositional(0, "no arguments");
        LocatorFiles files = LocatorFiles.forRoot(options.root);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LocatorFiles.Entry e : files.list()) {
            rows.add(describe(files, e));
        }
        if (options.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("root", files.root().toString());
            report.put("processes", rows);
            out.println(Json.write(report));
            return 0;
        }
        Table table = new Table("PID", "STATE", "UID", "BUFFERS", "TAKEN", "USED", "FREE", "FILE");
        for (Map<String, Object> r : rows) {
            boolean readable = Boolean.TRUE.equals(r.get("readable"));
            table.row(r.get("pid"), r.get("state"), r.get("ownerUid"), readable ? r.get("buffers") : "?",
                    readable ? r.get("taken") : "?", readable ? r.get("bytesUsed") : "?",
                    readable ? r.get("bytesFree") : "?", r.get("file") + (readable ? "" : "  (" + r.get("error") + ")"));
        }
        if (table.size() == 0) {
            out.println("no locator files under " + files.root());
        } else {
            table.print(out);
        }
        return 0;
    }

    private static Map<String, Object> describe(LocatorFiles files, LocatorFiles.Entry e) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("pid", e.pid());
        r.put("state", e.state().label());
        r.put("ownerUid", e.ownerUid());
        r.put("file", e.path().toString());
        try {
            LocatorFormat.Locator first = files.readFirst(e);
            r.put("readable", true);
            r.put("locatorAddress", Format.hex(first.thisAddress()));
            r.put("buffers", first.items().size());
            r.put("taken", first.takenCount());
            r.put("bytesUsed", first.bytesUsed());
            r.put("bytesFree", first.bytesFree());
            r.put("moreLocators", first.nextAddress() != 0);
        } catch (Exception ex) {
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
            table.row(m.get("locator"), m.get("base"), m.get("size"), m.get("used"), m.get("free"),
                    Boolean.TRUE.equals(m.get("taken")) ? "yes" : "no");
        }
        return table;
    }
}
