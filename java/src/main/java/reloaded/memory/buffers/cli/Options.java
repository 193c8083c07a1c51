package reloaded.memory.buffers.cli;

import java.util.ArrayList;
import java.util.List;

/** The options of the subcommands: --json, --help, --root DIR, --dry-run, and positional arguments. */
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

    private Options(boolean json, boolean help, String root, boolean dryRun, List<String> positional) {
        this.json = json;
        this.help = help;
        this.root = root;
        this.dryRun = dryRun;
        this.positional = positional;
    }

    static Options parse(List<String> args, Command command) throws UsageException {
        boolean acceptsRoot = command.acceptsRoot();
        boolean json = false;
        boolean help = false;
        boolean dryRun = false;
        String root = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--help") || a.equals("-h")) {
                help = true;
            } else if (acceptsRoot && a.equals("--root")) {
                if (++i == args.size()) {
                    throw new UsageException("--root needs a directory");
                }
                root = args.get(i);
            } else if (acceptsRoot && a.startsWith("--root=")) {
                root = a.substring("--root=".length());
            } else if (command.acceptsDryRun() && a.equals("--dry-run")) {
                dryRun = true;
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown option " + a);
            } else {
                positional.add(a);
            }
        }
        return new Options(json, help, root, dryRun, List.copyOf(positional));
    }

    void expectPositional(int count, String what) throws UsageException {
        if (positional.size() != count) {
            throw new UsageException(count == 0 ? "unexpected argument " + positional.get(0)
                    : "expected " + what + ", got " + (positional.isEmpty() ? "nothing" : String.join(" ", positional)));
        }
    }
}
