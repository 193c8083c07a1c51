package reloaded.memory.buffers.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of the subcommands: --json, --help, --root DIR, --dry-run, a command's own options
 * (with a value, {@code --name VALUE} or {@code --name=VALUE}, or flags), and positional arguments.
 */
final class Options {
    /** A command line the command cannot accept; exit code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The --help lines of the options shared by the commands that read locator files. */
    static final String FILE_OPTIONS_HELP = "  --json      print JSON instead of text\n"
            + "  --root DIR  look under DIR instead of $BUFFERS_SHARED_ROOT or /tmp\n";

    final boolean json;
    final boolean help;
    final String root;
    final boolean dryRun;
    final List<String> positional;
    /** The command's own options given with a value, by name ("--near"). */
    private final Map<String, String> values;
    /** The command's own flags given. */
    private final Set<String> flags;

    private Options(boolean json, boolean help, String root, boolean dryRun, List<String> positional,
                    Map<String, String> values, Set<String> flags) {
        this.json = json;
        this.help = help;
        this.root = root;
        this.dryRun = dryRun;
        this.positional = positional;
        this.values = values;
        this.flags = flags;
    }

    static Options parse(List<String> args, Command command) throws UsageException {
        boolean acceptsRoot = command.acceptsRoot();
        boolean json = false;
        boolean help = false;
        boolean dryRun = false;
        String root = null;
        List<String> positional = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (command.valueOptions().contains(name)) {
                if (values.containsKey(name)) {
                    throw new UsageException(name + " given twice"); // which one was meant?
                }
                if (a.contains("=")) {
                    values.put(name, a.substring(name.length() + 1));
                } else if (++i == args.size() || args.get(i).startsWith("--")) {
                    throw new UsageException(name + " needs a value"); // "--near --json": a forgotten value
                } else {
                    values.put(name, args.get(i));
                }
            } else if (command.flagOptions().contains(a)) {
                flags.add(a);
            } else if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--help") || a.equals("-h")) {
                help = true;
            } else if (acceptsRoot && (a.equals("--root") || a.startsWith("--root="))) {
                if (root != null) {
                    throw new UsageException("--root given twice");
                }
                if (a.equals("--root") && ++i == args.size()) {
                    throw new UsageException("--root needs a directory");
                }
                root = a.equals("--root") ? args.get(i) : a.substring("--root=".length());
            } else if (command.acceptsDryRun() && a.equals("--dry-run")) {
                dryRun = true;
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown option " + a);
            } else {
                positional.add(a);
            }
        }
        return new Options(json, help, root, dryRun, List.copyOf(positional), values, flags);
    }

    /** The value of one of the command's own options, or null when it was not given. */
    String value(String name) {
        return values.get(name);
    }

    /** Whether one of the command's own flags was given. */
    boolean flag(String name) {
        return flags.contains(name);
    }

    /** The one positional argument as a process id: a positive integer. */
    int pid() throws UsageException {
        expectPositional(1, "a process id");
        String text = positional.get(0);
        try {
            int pid = Integer.parseInt(text);
            if (pid > 0) {
                return pid;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("PID must be a positive integer, was '" + text + "'");
    }

    void expectPositional(int count, String what) throws UsageException {
        if (positional.size() != count) {
            throw new UsageException(count == 0 ? "unexpected argument " + positional.get(0)
                    : "expected " + what + ", got " + (positional.isEmpty() ? "nothing" : String.join(" ", positional)));
        }
    }
}
