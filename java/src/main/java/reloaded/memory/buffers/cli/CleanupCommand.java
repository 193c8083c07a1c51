package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reloaded.memory.buffers.BufferAllocationException;
import reloaded.memory.buffers.LocatorFiles.Entry;
import reloaded.memory.buffers.LocatorFiles.Removal;
import reloaded.memory.buffers.LocatorFiles.State;

/**
 * {@code cleanup}: removes the locator files of dead processes that belong to the current user. The
 * C core decides each file again under its lock, by the rules it uses for its own files.
 */
final class CleanupCommand implements Command {
    @Override
    public String name() {
        return "cleanup";
    }

    @Override
    public String summary() {
        return "remove stale locator files of dead processes owned by you; say what was removed";
    }

    @Override
    public String help() {
        return "usage: cleanup [--dry-run] [--json] [--root DIR]\n\n"
                + "Removes locator files whose process no longer runs and which the current user owns. Files of\n"
                + "live processes, of reused process ids, held alive from another PID namespace, of other users\n"
                + "or open to other users are left alone.\n"
                + "Exit code 1 if a file that should go could not be removed.\n"
                + "  --dry-run   only say which files would be removed (JSON: wouldRemove)\n"
                + Options.FILE_OPTIONS_HELP;
    }

    @Override
    public boolean acceptsDryRun() {
        return true;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) throws Exception {
        options.expectPositional(0, "no arguments");
        LocatorFiles files = LocatorFiles.forRoot(options.root);
        long uid = LocatorFiles.currentUid();
        List<Map<String, Object>> removed = new ArrayList<>();
        List<Map<String, Object>> wouldRemove = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        int kept = 0;
        for (Entry e : files.list()) {
            if (e.state() != State.STALE || e.ownerUid() != uid) {
                kept++;
                continue;
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("pid", e.pid());
            r.put("file", e.path());
            try {
                Removal removal = reloaded.memory.buffers.LocatorFiles.removeIfStale(e.path(), options.dryRun);
                if (!removal.removed()) {
                    kept++; // taken up meanwhile, or not ours to remove: the core said why
                } else {
                    (options.dryRun ? wouldRemove : removed).add(r);
                }
            } catch (BufferAllocationException | IllegalArgumentException ex) {
                r.put("error", ex.getMessage());
                failed.add(r);
            }
        }
        if (options.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("root", files.root().toString());
            report.put("dryRun", options.dryRun);
            report.put("wouldRemove", wouldRemove);
            report.put("removed", removed);
            report.put("failed", failed);
            report.put("kept", kept);
            out.println(Json.write(report));
        } else {
            for (Map<String, Object> r : wouldRemove) {
                out.println("would remove " + r.get("file") + " (process " + r.get("pid") + " is gone)");
            }
            for (Map<String, Object> r : removed) {
                out.println("removed " + r.get("file") + " (process " + r.get("pid") + " is gone)");
            }
            for (Map<String, Object> r : failed) {
                out.println("could not remove " + r.get("file") + ": " + r.get("error"));
            }
            out.println((options.dryRun ? "dry run: " + wouldRemove.size() + " stale file(s) would be removed, "
                    : removed.size() + " stale file(s) removed, " + failed.size() + " failed, ") + kept
                    + " kept (live, reused id or another user's)");
        }
        return failed.isEmpty() ? 0 : 1;
    }
}
