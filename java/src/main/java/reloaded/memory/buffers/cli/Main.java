package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The command-line tool in the jar: {@code java -jar reloaded-memory-buffers.jar <command>}.
 * Commands: {@code demo}, {@code list}, {@code inspect PID}, {@code cleanup}; each takes
 * {@code --help} and {@code --json}.
 */
public final class Main {
    private static final List<Command> COMMANDS = List.of(new DemoCommand(), new ListCommand(),
            new InspectCommand(), new CleanupCommand());

    private Main() {
    }

    /**
     * Runs the command line and exits with its code: 0 when all is as promised, 1 on failure,
     * 2 on a usage error.
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command line without exiting.
     *
     * @param args the command and its arguments
     * @param out  where results go
     * @param err  where errors and usage go
     * @return the exit code: 0 when all is as promised, 1 on failure, 2 on a usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(usage());
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
        if (command == null) {
            err.println("unknown command '" + args[0] + "'");
            err.print(usage());
            return 2;
        }
        Options options;
        try {
            options = Options.parse(Arrays.asList(args).subList(1, args.length), command.acceptsRoot());
        } catch (Options.UsageException e) {
            err.println(command.name() + ": " + e.getMessage());
            err.print(command.help());
            return 2;
        }
        if (options.help) {
            out.print(command.help());
            return 0;
        }
        try {
            return command.run(options, out, err);
        } catch (Options.UsageException e) {
            err.println(command.name() + ": " + e.getMessage());
            err.print(command.help());
            return 2;
        } catch (Exception | LinkageError e) {
            err.println(command.name() + " failed: " + e);
            return 1;
        }
    }

    static String usage() {
        StringBuilder s = new StringBuilder();
        s.append("usage: java -jar reloaded-memory-buffers.jar <command> [--json] [--help]\n\ncommands:\n");
        for (Command c : COMMANDS) {
            s.append(String.format("  %-14s %s%n", c.name(), c.summary()));
        }
        s.append("\nRun '<command> --help' for a command's options.\n");
        return s.toString();
    }
}
