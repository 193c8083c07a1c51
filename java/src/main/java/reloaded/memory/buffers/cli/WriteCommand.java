package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferAllocationException;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.ProcessBuffers;

/**
 * {@code write PID --near ADDRESS --hex BYTES}: places bytes in a shared buffer of another process
 * within a distance of an address (Buffers.ofProcess + getBuffer + append) and prints where.
 */
final class WriteCommand implements Command {
    /** The reach of a jmp rel32: 2 GiB - 1. */
    static final long DEFAULT_DISTANCE = 0x7FFFFFFFL;

    @Override
    public String name() {
        return "write";
    }

    @Override
    public String summary() {
        return "PID --near ADDRESS --hex BYTES: put bytes in a buffer of process PID near ADDRESS";
    }

    @Override
    public String help() {
        return "usage: write PID --near ADDRESS [--distance BYTES] --hex BYTES [--code] [--json]\n\n"
                + "Writes BYTES into a shared buffer of process PID that lies within DISTANCE of ADDRESS (the window\n"
                + "[ADDRESS - DISTANCE, ADDRESS + DISTANCE], clipped to the address space), making a buffer there if\n"
                + "none fits, and prints the address the first byte went to. PID must run as your user and be\n"
                + "yours to debug (kernel.yama.ptrace_scope permitting, or root); one that never loaded libbuffers\n"
                + "gets a locator made for it.\n"
                + "  --near ADDRESS    the address to stay near: hexadecimal with 0x, or decimal\n"
                + "  --distance BYTES  the largest distance from ADDRESS (default 0x7fffffff, a jmp rel32's reach)\n"
                + "  --hex BYTES       the bytes, e.g. \"90 90 c3\" or 9090c3 (1 to " + WriteArguments.MAX_BYTES
                + ")\n"
                + "  --code            make them executable (instruction cache flushed)\n"
                + "  --json            print {\"address\", \"pid\", \"size\", \"near\", \"distance\", \"code\"}\n";
    }

    @Override
    public boolean acceptsRoot() {
        return false;
    }

    @Override
    public List<String> valueOptions() {
        return List.of("--near", "--distance", "--hex");
    }

    @Override
    public List<String> flagOptions() {
        return List.of("--code");
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) throws Exception {
        int pid = options.pid();
        long near = WriteArguments.unsigned("--near", required(options, "--near", "ADDRESS"));
        String distanceText = options.value("--distance");
        long distance = distanceText == null ? DEFAULT_DISTANCE : WriteArguments.unsigned("--distance", distanceText);
        byte[] bytes = WriteArguments.hexBytes(required(options, "--hex", "BYTES"));
        boolean code = options.flag("--code");
        long maxAddress = Buffers.maxAddress();
        long min = WriteArguments.windowMin(near, distance);
        long max = WriteArguments.windowMax(near, distance, maxAddress);
        if (Long.compareUnsigned(min, max) > 0) {
            throw new Options.UsageException("--near " + Format.hex(near) + " minus --distance is above the highest "
                    + "address " + Format.hex(maxAddress));
        }
        long address = write(pid, new BufferSearchSettings(min, max, bytes.length), bytes, code);
        if (options.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("address", Format.hex(address));
            report.put("pid", pid);
            report.put("size", bytes.length);
            report.put("near", Format.hex(near));
            report.put("distance", new BigInteger(Long.toUnsignedString(distance))); // a JSON number, unsigned
            report.put("code", code);
            out.println(Json.write(report));
        } else {
            out.println(Format.hex(address));
        }
        return 0;
    }

    private static String required(Options options, String option, String what) throws Options.UsageException {
        String value = options.value(option);
        if (value == null) {
            throw new Options.UsageException(option + " " + what + " is required");
        }
        return value;
    }

    /** get + append + release in the process; every refusal becomes a one-line failure. */
    private static long write(int pid, BufferSearchSettings settings, byte[] bytes, boolean code)
            throws CommandFailure {
        try (ProcessBuffers process = Buffers.ofProcess(pid); Buffer buffer = process.getBuffer(settings)) {
            return code ? buffer.appendCode(bytes) : buffer.append(bytes);
        } catch (IllegalArgumentException | IllegalStateException | SecurityException | UnsupportedOperationException
                 | BufferAllocationException e) {
            throw new CommandFailure(e.getMessage());
        }
    }
}
