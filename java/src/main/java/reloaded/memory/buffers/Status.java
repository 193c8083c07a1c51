package reloaded.memory.buffers;

/**
 * The C library's {@code buffers_status} values and the exception each one becomes. The only place
 * where a native failure is turned into a Java exception.
 */
final class Status {
    static final int OK = 0;
    static final int INVALID_ARGUMENT = 1;
    static final int NO_SPACE = 2;
    static final int LOCATOR = 3;
    static final int UNSUPPORTED = 4;
    static final int OUT_OF_MEMORY = 5;
    static final int PERMISSION = 6;

    private Status() {
    }

    /** The C enumerator's name for a status. */
    static String name(int status) {
        switch (status) {
            case OK: return "BUFFERS_OK";
            case INVALID_ARGUMENT: return "BUFFERS_ERROR_INVALID_ARGUMENT";
            case NO_SPACE: return "BUFFERS_ERROR_NO_SPACE";
            case LOCATOR: return "BUFFERS_ERROR_LOCATOR";
            case UNSUPPORTED: return "BUFFERS_ERROR_UNSUPPORTED";
            case OUT_OF_MEMORY: return "BUFFERS_ERROR_OUT_OF_MEMORY";
            case PERMISSION: return "BUFFERS_ERROR_PERMISSION";
            default: return "BUFFERS_STATUS_UNKNOWN(" + status + ")";
        }
    }

    /**
     * The exception for a failed request for memory in [min, max] of size bytes.
     *
     * @param status a non-OK status
     * @param detail the C library's description (buffers_last_error), may be empty
     */
    static RuntimeException toException(int status, String detail, long min, long max, long size) {
        String message = message(status, detail);
        switch (status) {
            case INVALID_ARGUMENT:
                return new IllegalArgumentException(message);
            case UNSUPPORTED:
                return new UnsupportedOperationException(message);
            case PERMISSION:   // the OS refused to let this process act in another one (ptrace, OpenProcess)
                return new SecurityException(message);
            case LOCATOR:      // the locator's directory or file, not the range: no range in the text
                return BufferAllocationException.ofLocator(message, min, max, size);
            case NO_SPACE:
            case OUT_OF_MEMORY:
            default:
                return new BufferAllocationException(message, min, max, size);
        }
    }

    /**
     * The status name followed by the native description, naming the status once: the C library's
     * text already starts with it ("BUFFERS_ERROR_NO_SPACE: ..."), other sources may not.
     */
    static String message(int status, String detail) {
        String name = name(status);
        if (detail == null || detail.isEmpty()) {
            return name;
        }
        return detail.startsWith(name) ? detail : name + ": " + detail;
    }

    /**
     * The one failure convention of the natives: a negative result is -status, with the reason in
     * {@link NativeBuffers#lastError()}. Returns a non-negative result as it is, throws otherwise.
     */
    static long check(long result, long min, long max, long size) {
        if (result < 0) {
            throw toException((int) -result, NativeBuffers.lastError(), min, max, size);
        }
        return result;
    }
}
