package reloaded.memory.buffers.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reloaded.memory.buffers.Buffer;
import reloaded.memory.buffers.BufferAllocatorSettings;
import reloaded.memory.buffers.BufferInfo;
import reloaded.memory.buffers.BufferSearchSettings;
import reloaded.memory.buffers.Buffers;
import reloaded.memory.buffers.PrivateAllocation;

/**
 * {@code demo}: shows what the library promises, checking each promise. A private allocation holding
 * a {@code ret} instruction plays the function to hook; the demo places a {@code jmp rel32} within
 * 2 GiB of it, data in the first 2 GiB, and a one-call write, then reads everything back.
 */
final class DemoCommand implements Command {
    static final long TWO_GIB = 0x7FFFFFFFL;

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "get buffers near a function and in the first 2 GiB, append, check, print the locator";
    }

    @Override
    public String help() {
        return "usage: demo [--json]\n\n"
                + "Gets a buffer within 2 GiB of a function-like target (a private allocation holding `ret`)\n"
                + "and writes a `jmp rel32` to it; gets a buffer in the first 2 GiB and appends data; places\n"
                + "bytes with the one-call Buffers.write; reads every write back; prints addresses, distances\n"
                + "and this process's locator. Exit code 0 when every check passes, 1 otherwise.\n"
                + "  --json   print one JSON object instead of text\n";
    }

    @Override
    public boolean acceptsRoot() {
        return false;
    }

    @Override
    public int run(Options options, PrintStream out, PrintStream err) throws Exception {
        options.expectPositional(0, "no arguments");
        List<Map<String, Object>> checks = new ArrayList<>();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("version", Buffers.version());
        report.put("pid", ProcessHandle.current().pid());
        report.put("allocationGranularity", Buffers.allocationGranularity());
        report.put("maxAddress", Format.hex(Buffers.maxAddress()));
        report.put("locatorAddress", Format.hex(Buffers.locatorAddress()));
        report.put("locatorDirectory", Buffers.locatorDirectory());

        try (PrivateAllocation function = Buffers.allocatePrivateMemory(BufferAllocatorSettings.defaults())) {
            long target = function.baseAddress();
            Buffers.overwriteAllocatedCode(new byte[] {(byte) 0xC3}, target); // ret
            report.put("target", Format.hex(target));
            checks.add(nearTarget(target));
            checks.add(firstTwoGiB());
            checks.add(oneCallWrite(target));
        }
        report.put("checks", checks);
        List<Map<String, Object>> buffers = new ArrayList<>();
        for (BufferInfo b : Buffers.listBuffers()) {
            buffers.add(ListCommand.itemJson(b.baseAddress(), b.size(), b.position(), b.taken(), b.locatorAddress()));
        }
        report.put("buffers", buffers);
        boolean ok = checks.stream().allMatch(c -> Boolean.TRUE.equals(c.get("ok")));
        report.put("ok", ok);

        if (options.json) {
            out.println(Json.write(report));
        } else {
            printText(report, checks, out);
        }
        return ok ? 0 : 1;
    }

    /** A jmp rel32 placed within 2 GiB of the target must reach it. */
    private static Map<String, Object> nearTarget(long target) {
        BufferSearchSettings near = BufferSearchSettings.fromProximity(TWO_GIB, target, 64);
        try (Buffer buffer = Buffers.getBuffer(near)) {
            long expected = buffer.baseAddress() + buffer.position();
            long rel = target - (expected + 5);
            byte[] jmp = {(byte) 0xE9, (byte) rel, (byte) (rel >> 8), (byte) (rel >> 16), (byte) (rel >> 24)};
            long at = buffer.appendCode(jmp);
            long distance = Math.abs(at - target);
            boolean ok = at == expected && rel == (int) rel && distance <= TWO_GIB && readsBack(at, jmp);
            return check("near target (jmp rel32 within 2 GiB)", at, jmp.length, distance, ok);
        }
    }

    /** Data placed in the first 2 GiB must end below 2 GiB. */
    private static Map<String, Object> firstTwoGiB() {
        byte[] data = "libbuffers demo: first 2 GiB".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (Buffer buffer = Buffers.getBuffer(new BufferSearchSettings(0, TWO_GIB, data.length))) {
            long at = buffer.append(data);
            boolean ok = Long.compareUnsigned(at + data.length - 1, TWO_GIB) <= 0 && readsBack(at, data);
            return check("first 2 GiB", at, data.length, at, ok);
        }
    }

    /** Buffers.write: get + append + release in one call, also near the target. */
    private static Map<String, Object> oneCallWrite(long target) {
        byte[] data = {1, 2, 3, 4, 5, 6, 7, 8};
        long at = Buffers.write(BufferSearchSettings.fromProximity(TWO_GIB, target, data.length), data);
        long distance = Math.abs(at - target);
        return check("one-call write near target", at, data.length, distance, distance <= TWO_GIB && readsBack(at, data));
    }

    private static boolean readsBack(long address, byte[] expected) {
        byte[] actual = new byte[expected.length];
        Buffers.read(address, actual);
        return Arrays.equals(actual, expected);
    }

    private static Map<String, Object> check(String name, long address, int length, long distance, boolean ok) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("address", Format.hex(address));
        c.put("length", length);
        c.put("distance", distance);
        c.put("ok", ok);
        return c;
    }

    @SuppressWarnings("unchecked")
    private static void printText(Map<String, Object> report, List<Map<String, Object>> checks, PrintStream out) {
        out.println("libbuffers " + report.get("version") + ", pid " + report.get("pid") + ", granularity "
                + report.get("allocationGranularity") + ", max address " + report.get("maxAddress"));
        out.println("locator " + report.get("locatorAddress") + " in " + report.get("locatorDirectory"));
        out.println("target (private allocation holding `ret`) at " + report.get("target"));
        out.println();
        Table table = new Table("CHECK", "ADDRESS", "BYTES", "DISTANCE", "RESULT");
        for (Map<String, Object> c : checks) {
            table.row(c.get("name"), c.get("address"), c.get("length"), Format.distance((Long) c.get("distance")),
                    Boolean.TRUE.equals(c.get("ok")) ? "ok" : "FAILED");
        }
        table.print(out);
        out.println();
        List<Map<String, Object>> buffers = (List<Map<String, Object>>) report.get("buffers");
        out.println("this process's locator: " + buffers.size() + " buffers");
        ListCommand.itemTable(buffers).print(out);
        out.println();
        out.println(Boolean.TRUE.equals(report.get("ok")) ? "demo: all checks passed" : "demo: SOME CHECKS FAILED");
    }
}
