package reloaded.memory.buffers.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code inspect PID}: one process's locator chain. The first locator is read from its file; the
 * ones after it exist only in the process's memory and are read from /proc/PID/mem when permitted.
 */
final class InspectCommand implements Command {
    /** More locators than this in one chain means the chain is corrupt. */
    private static final int MAX_CHAIN = 100_000;

    @Override
    public String name() {
        return "inspect";
    }

    @Override
    public String summary() {
        return "PID: one process's locator chain, each buffer's base, size, used, free, taken";
    }

    @Override
    public String help() {
        return "usage: inspect PID [--json] [--root DIR]\n\n"
                + "Prints every buffer in process PID's locator chain. The first locator comes from the locator\n"
                + "file; further locators are read from /proc/PID/mem, which needs ptrace permission (same user\n"
                + "and a permissive kernel.yama.ptrace_scope, or root); otherwise the output says so.\n"
                + "Exit code 1 when there is no such process or it has no locator file.\n"
                + Options.FILE_OPTIONS_HELP;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) throws Exception {
        int pid = options.pid();
        LocatorFiles files = LocatorFiles.forRoot(options.root);
        List<LocatorFiles.Entry> entries = files.forPid(pid);
        if (entries.isEmpty()) {
            if (!Files.isDirectory(Paths.get("/proc", Integer.toString(pid)))) {
                throw new CommandFailure("no such process: " + pid + " (and no locator file of it under "
                        + files.root() + ")");
            }
            throw new CommandFailure("process " + pid + " runs but has no locator file under " + files.root()
                    + " (it has not used libbuffers, or it uses another root: see --root)");
        }
        LocatorFiles.Entry entry = entries.get(0);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("pid", pid);
        report.put("state", entry.state().label());
        report.put("file", entry.path().toString());
        List<Map<String, Object>> locators = new ArrayList<>();
        List<Map<String, Object>> buffers = new ArrayList<>();
        String note = walk(files, entry, locators, buffers);
        report.put("locators", locators);
        report.put("buffers", buffers);
        report.put("complete", note == null);
        report.put("note", note);
        if (options.json) {
            out.println(Json.write(report));
        } else {
            out.println("process " + pid + " (" + entry.state().label() + "), file " + entry.path());
            out.println(locators.size() + " locator(s), " + buffers.size() + " buffer(s)");
            ListCommand.itemTable(buffers).print(out);
            if (note != null) {
                out.println("incomplete: " + note);
            }
        }
        return 0;
    }

    /** Follows the chain; returns null when complete, else why it stopped. */
    private static String walk(LocatorFiles files, LocatorFiles.Entry entry, List<Map<String, Object>> locators,
                               List<Map<String, Object>> buffers) {
        LocatorFormat.Locator locator;
        try {
            locator = files.readFirst(entry);
        } catch (IOException | IllegalArgumentException e) {
            return "the locator file is not readable: " + e.getMessage();
        }
        String source = "file";
        Set<Long> seen = new HashSet<>();
        while (true) {
            long address = locator.thisAddress();
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("address", Format.hex(address));
            l.put("source", source);
            l.put("items", locator.items().size());
            l.put("locked", locator.locked());
            l.put("next", Format.hex(locator.nextAddress()));
            locators.add(l);
            for (LocatorFormat.Item item : locator.items()) {
                buffers.add(ListCommand.itemJson(item.baseAddress(), item.size(), item.position(), item.taken(), address));
            }
            long next = locator.nextAddress();
            if (next == 0) {
                return null;
            }
            if (!seen.add(next) || seen.size() > MAX_CHAIN) {
                return "the chain loops or is corrupt at " + Format.hex(next);
            }
            if (entry.state() == LocatorFiles.State.STALE) {
                return "the process is gone; locators after the first lived only in its memory";
            }
            try {
                byte[] block = ProcessMemory.read(Paths.get("/proc"), entry.pid(), next, LocatorFormat.BLOCK_SIZE);
                LocatorFormat.Locator parsed = LocatorFormat.parse(block, locator.pointerSize());
                // a chained locator's first field is its own address
                locator = new LocatorFormat.Locator(parsed.pointerSize(), next, parsed.nextAddress(), parsed.locked(),
                        parsed.version(), parsed.items());
                source = "/proc/" + entry.pid() + "/mem";
            } catch (IOException | IllegalArgumentException e) {
                return "the locator at " + Format.hex(next) + " is in the process's memory and not readable: "
                        + e.getMessage();
            }
        }
    }
}
