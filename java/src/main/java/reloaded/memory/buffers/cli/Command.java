package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.util.List;

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

    /** Whether it takes --dry-run (cleanup does). */
    default boolean acceptsDryRun() {
        return false;
    }

    /** Its own options that take a value ("--near"); none by default. */
    default List<String> valueOptions() {
        return List.of();
    }

    /** Its own options without a value ("--code"); none by default. */
    default List<String> flagOptions() {
        return List.of();
    }

    /**
     * Runs it; returns the exit code (0 all as promised, 1 failure). Throws CommandFailure for a
     * failure with nothing else to report, Options.UsageException for a bad command line.
     */
    int run(Options options, PrintStream out, PrintStream err) throws Exception;
}
