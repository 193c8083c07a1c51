package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.lang.module.ModuleDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reloaded.memory.buffers.Buffers;

/**
 * The command-line tool in the jar: {@code java -jar reloaded-memory-buffers.jar <command>}.
 * Commands: {@code demo}, {@code list}, {@code inspect PID}, {@code cleanup},
 * {@code write PID --near ADDRESS --hex BYTES}; each takes
 * {@code --help} and {@code --json}. {@code --version} prints the jar's and the native library's
 * versions.
 */
public final class Main {
    /** Text output stays within this many columns. */
    static final int WIDTH = 100;

    static final String EXIT_CODES_HELP = "\nexit codes:\n"
            + "  0  done as promised\n"
            + "  1  failed: a check failed, no such process or locator file, a file could not be removed,\n"
            + "     or the native library is unavailable\n"
            + "  2  usage error: unknown command or option, bad argument\n"
            + "With --json, results and errors ({\"error\": ...}) are JSON on standard output.\n";

    private static final List<Command> COMMANDS = List.of(new DemoCommand(), new ListCommand(),
            new InspectCommand(), new CleanupCommand(), new WriteCommand());

    private Main() {
    }

    /**
     * Runs the command line and exits with its code: 0 when all is as promised, 1 on failure,
     * 2 on a usage error.
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) {
        keepLibraryInCache();
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Lets the loader keep its checked copy of the JNI library in the user's cache folder, the one
     * bin/buffers names, so that {@code java -jar} runs too skip extracting and hashing it (most of
     * their start-up after the JVM's own: docs/benchmarks.md). The loader uses the folder only where
     * no other user can change it ({@code NativeCache}); a setting of the caller's wins.
     */
    static void keepLibraryInCache() {
        String property = "reloaded.buffers.native.cache"; // NativeLoader.CACHE_PROPERTY
        if (System.getProperty(property) != null || System.getenv("RELOADED_BUFFERS_NATIVE_CACHE") != null) {
            return;
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        String base = xdg != null && xdg.startsWith("/") ? xdg : System.getProperty("user.home") + "/.cache";
        if (base.startsWith("/")) { // POSIX only (the loader keeps no DLL either)
            System.setProperty(property, base + "/reloaded-memory-buffers");
        }
    }

    /**
     * Runs the command line without exiting.
     *
     * @param args the command and its arguments
     * @param out  where results go (and, with --json, errors)
     * @param err  where errors and usage go
     * @return the exit code: 0 when all is as promised, 1 on failure, 2 on a usage error
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> line = CommandLine.commandFirst(Arrays.asList(args));
        boolean json = line.contains("--json");
        boolean help = line.contains("--help") || line.contains("-h");
        if (line.isEmpty() || line.get(0).startsWith("-") || line.get(0).equals("help")) {
            if (line.contains("--version")) {
                return version(json, out);
            }
            if (help || line.contains("help")) {
                out.print(usage());
                return 0;
            }
            if (json) {
                return error(out, null, "no command given", 2);
            }
            err.print(usage());
            return 2;
        }
        Command command = command(line.get(0));
        if (command == null) {
            List<String> names = new ArrayList<>();
            for (Command c : COMMANDS) {
                names.add(c.name());
            }
            String guess = CommandLine.didYouMean(line.get(0), names);
            String message = "unknown command '" + line.get(0) + "'" + (guess == null ? "" : "; did you mean '" + guess + "'?");
            if (json) {
                return error(out, null, message, 2);
            }
            err.println(message);
            err.println("Run with --help for the commands.");
            return 2;
        }
        try {
            Options options = Options.parse(line.subList(1, line.size()), command);
            if (options.help) {
                out.print(command.help() + EXIT_CODES_HELP);
                return 0;
            }
            return command.run(options, out, err);
        } catch (Options.UsageException e) {
            if (json) {
                return error(out, command, e.getMessage(), 2);
            }
            err.println(command.name() + ": " + e.getMessage());
            err.print(command.help());
            return 2;
        } catch (CommandFailure e) {
            return json ? error(out, command, e.getMessage(), 1) : text(err, command, e.getMessage());
        } catch (Exception | LinkageError e) {
            return json ? error(out, command, e.toString(), 1) : text(err, command, "failed: " + e);
        }
    }

    /** The command of that name, or null. A loop, not a stream: a lambda costs milliseconds at start-up. */
    private static Command command(String name) {
        for (Command c : COMMANDS) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static int text(PrintStream err, Command command, String message) {
        err.println(command.name() + ": " + message);
        return 1;
    }

    /** {"error": message, "command": name, "exitCode": code} on standard output; returns code. */
    private static int error(PrintStream out, Command command, String message, int code) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("error", message);
        report.put("command", command == null ? null : command.name());
        report.put("exitCode", code);
        out.println(Json.write(report));
        return code;
    }

    /** The jar's version and the native library's (or why it is unavailable); exit code 0 either way. */
    private static int version(boolean json, PrintStream out) {
        String jar = jarVersion();
        boolean available = Buffers.isAvailable();
        String nativeVersion = available ? Buffers.version() : null;
        Throwable cause = Buffers.unavailabilityCause();
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("version", jar);
            report.put("nativeAvailable", available);
            report.put("nativeVersion", nativeVersion);
            report.put("unavailabilityCause", cause == null ? null : cause.getMessage());
            report.put("java", System.getProperty("java.version"));
            report.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
            out.println(Json.write(report));
        } else {
            out.println("reloaded-memory-buffers " + jar);
            out.println(available ? "native libbuffers " + nativeVersion : "native library unavailable: " + cause.getMessage());
            out.println("java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch"));
        }
        return 0;
    }

    /** From the jar manifest, else the module descriptor, else "unknown (not run from a jar)". */
    static String jarVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        if (v == null && Main.class.getModule().isNamed()) {
            v = Main.class.getModule().getDescriptor().version().map(ModuleDescriptor.Version::toString).orElse(null);
        }
        return v != null ? v : "unknown (not run from a jar)";
    }

    static String usage() {
        StringBuilder s = new StringBuilder();
        s.append("usage: java -jar reloaded-memory-buffers.jar <command> [--json] [--help]\n");
        s.append("       java -jar reloaded-memory-buffers.jar --version [--json]\n\ncommands:\n");
        for (Command c : COMMANDS) {
            s.append(String.format("  %-14s %s%n", c.name(), c.summary()));
        }
        s.append("\nRun '<command> --help' for a command's options.\n");
        s.append(EXIT_CODES_HELP);
        return s.toString();
    }
}
