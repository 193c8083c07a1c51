package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reloaded.memory.buffers.BufferInfo;
import reloaded.memory.buffers.LocatorFiles.Chain;
import reloaded.memory.buffers.LocatorFiles.Entry;
import reloaded.memory.buffers.LocatorFiles.Locator;

/**
 * {@code inspect PID}: one process's locator chain, read by the C core: the first locator from its
 * file, the ones after it from the process's memory (/proc/PID/mem) when permitted.
 */
final class InspectCommand implements Command {
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
        List<Entry> entries = files.forPid(pid);
        if (entries.isEmpty()) {
            if (!Files.isDirectory(Paths.get("/proc", Integer.toString(pid)))) {
                throw new CommandFailure("no such process: " + pid + " (and no locator file of it under "
                        + files.root() + ")");
            }
            throw new CommandFailure("process " + pid + " runs but has no locator file under " + files.root()
                    + " (it has not used libbuffers, or it uses another root: see --root)");
        }
        Entry entry = entries.get(0);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("pid", pid);
        report.put("processName", entry.processName());
        report.put("state", entry.state().label());
        report.put("file", entry.path());
        List<Map<String, Object>> locators = new ArrayList<>();
        List<Map<String, Object>> buffers = new ArrayList<>();
        String note = walk(entry, locators, buffers);
        report.put("locators", locators);
        report.put("buffers", buffers);
        report.put("complete", note == null);
        report.put("note", note);
        if (options.json) {
            out.println(Json.write(report));
        } else {
            out.println("process " + pid + " " + entry.processName() + " (" + entry.state().label() + "), file "
                    + entry.path());
            out.println(locators.size() + " locator(s), " + buffers.size() + " buffer(s)");
            ListCommand.itemTable(buffers).print(out);
            if (note != null) {
                out.println("incomplete: " + note);
            }
        }
        return 0;
    }

    /** The chain as the core reads it; returns null when complete, else why it stopped. */
    private static String walk(Entry entry, List<Map<String, Object>> locators, List<Map<String, Object>> buffers) {
        Chain chain;
        try {
            chain = reloaded.memory.buffers.LocatorFiles.read(entry.path(),
                    reloaded.memory.buffers.LocatorFiles.MAX_LOCATORS);
        } catch (RuntimeException e) {
            return "the locator file is not readable: " + e.getMessage();
        }
        for (Locator l : chain.locators()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", Format.hex(l.address()));
            m.put("source", l.fromFile() ? "file" : "/proc/" + entry.pid() + "/mem");
            m.put("items", l.itemCount());
            m.put("locked", l.locked());
            m.put("next", Format.hex(l.nextAddress()));
            locators.add(m);
        }
        for (BufferInfo b : chain.buffers()) {
            buffers.add(ListCommand.itemJson(b.baseAddress(), b.size(), b.position(), b.taken(), b.locatorAddress()));
        }
        Locator last = chain.locators().get(chain.locators().size() - 1);
        if (!chain.note().isEmpty()) {
            return chain.note();
        }
        return last.nextAddress() == 0 ? null : "the chain is longer than "
                + reloaded.memory.buffers.LocatorFiles.MAX_LOCATORS + " locators";
    }
}
