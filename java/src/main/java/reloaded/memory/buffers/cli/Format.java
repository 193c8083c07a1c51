package reloaded.memory.buffers.cli;

/** How the CLI prints addresses: unsigned, 0x-prefixed, 16 hex digits (also in JSON, as strings). */
final class Format {
    private Format() {
    }

    static String hex(long address) {
        return String.format("0x%016x", address);
    }
}
