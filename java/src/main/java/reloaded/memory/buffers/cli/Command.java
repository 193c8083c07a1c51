package reloaded.memory.buffers.cli;

import java.io.PrintStream;

/** One subcommand of the CLI. */
interface Command {
    /** The word that selects it. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The full --help text. */
    String help();

    /** Whether it takes --root (the commands that read locator files do). */
    default boolean acceptsRoot() {
        return true;
    }

    /** Runs it; returns the exit code (0 all as promised, 1 failure). */
    int run(Options options, PrintStream out, PrintStream err) throws Exception;
}
