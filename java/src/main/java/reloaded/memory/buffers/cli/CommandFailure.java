package reloaded.memory.buffers.cli;

/** A command could not do what was asked (exit code 1); Main prints it as text or, with --json, as JSON. */
final class CommandFailure extends Exception {
    private static final long serialVersionUID = 1L;

    CommandFailure(String message) {
        super(message);
    }
}
