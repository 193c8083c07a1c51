package reloaded.memory.buffers;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The Java hot paths as ratios to two floors of their route, measured in the same JVM in
 * alternating rounds (a busy machine slows every loop of a round alike), the median round printed:
 * the route's empty call (issue 21's figure) and the route's bare model (the C benchmarks' bare
 * model reached through the route: the least a write through it can cost). scripts/bench-java.sh
 * runs it in several JVMs and reports min / median / max of the medians.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp target/benchmarks.jar
 * reloaded.memory.buffers.RouteRatios}. Prints {@code route NAME}, then one line per figure, its
 * name then its value: ratios ({@code one call / no-op}, {@code one call / bare}, ...) and ns per
 * call ({@code no-op ns}, ...).
 */
public final class RouteRatios {
    private static final int ROUNDS = 21;
    private static final int OPS = 40_000;
    private static final int BYTES = 16;
    /** Room for the warm-up and every round of each loop that writes. */
    private static final int ROOM = 4 * ROUNDS * OPS * BYTES;
    private static long sink;

    private RouteRatios() {
    }

    public static void main(String[] args) {
        byte[] data = new byte[BYTES];
        BufferSearchSettings window = BenchWindow.of(ROOM, BYTES);
        Status.check(NativeBuffers.bareOpen(ROOM), 0, 0, ROOM);
        JavaBareModel javaBare = new JavaBareModel(ROOM);
        boolean ffm = NativeRoute.name().equals("ffm");
        // The timed loops, in the order each round runs them; on the FFM route JNI's floors too.
        Map<String, ToLongFunction<Integer>> loops = new LinkedHashMap<>();
        loops.put("no-op", n -> noops(n, false));
        loops.put("bare", n -> bare(n, data, false));
        loops.put("java bare", n -> javaBare(n, javaBare, data));
        loops.put("one call", n -> oneCall(window, data, n));
        loops.put("three calls", n -> threeCalls(window, data, n));
        if (ffm) {
            loops.put("jni no-op", n -> noops(n, true));
            loops.put("jni bare", n -> bare(n, data, true));
        }
        for (int i = 0; i < 3; i++) { // warm-up: the JIT compiles every loop
            loops.values().forEach(loop -> loop.applyAsLong(OPS / 2));
        }
        Map<String, double[]> ns = new LinkedHashMap<>();
        loops.keySet().forEach(name -> ns.put(name, new double[ROUNDS]));
        for (int r = 0; r < ROUNDS; r++) {
            for (Map.Entry<String, ToLongFunction<Integer>> loop : loops.entrySet()) {
                ns.get(loop.getKey())[r] = (double) loop.getValue().applyAsLong(OPS) / OPS;
            }
        }
        System.out.println("route " + NativeRoute.name());
        for (String path : new String[] {"one call", "three calls", "bare", "java bare"}) {
            for (String floor : new String[] {"no-op", "bare"}) {
                if (!path.equals(floor)) {
                    System.out.printf("%s / %s %.2f%n", path, floor, medianRatio(ns.get(path), ns.get(floor)));
                }
            }
        }
        if (ffm) {
            System.out.printf("jni bare / jni no-op %.2f%n", medianRatio(ns.get("jni bare"), ns.get("jni no-op")));
        }
        ns.forEach((name, values) -> System.out.printf("%s ns %.2f%n", name, median(values)));
        if (sink == 42) {
            System.out.println();
        }
    }

    /** The median over rounds of top / bottom, each round's pair measured back to back. */
    private static double medianRatio(double[] top, double[] bottom) {
        double[] ratios = new double[top.length];
        for (int r = 0; r < top.length; r++) {
            ratios[r] = top[r] / bottom[r];
        }
        return median(ratios);
    }

    private static long noops(int n, boolean jni) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (jni) {
                NativeBuffers.noop();
            } else {
                NativeRoute.noop();
            }
        }
        return System.nanoTime() - start;
    }

    private static long bare(int n, byte[] data, boolean jni) {
        long start = System.nanoTime();
        long last = 0;
        for (int i = 0; i < n; i++) {
            last = jni ? JniWrites.bare(0, -1, data) : NativeRoute.bare(0, -1, data);
        }
        return checked(last, start);
    }

    private static long javaBare(int n, JavaBareModel model, byte[] data) {
        long start = System.nanoTime();
        long last = 0;
        for (int i = 0; i < n; i++) {
            last = model.write(0, -1, data);
        }
        return checked(last, start);
    }

    private static long oneCall(BufferSearchSettings window, byte[] data, int n) {
        long start = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Buffers.write(window, data);
        }
        sink += sum;
        return System.nanoTime() - start;
    }

    private static long threeCalls(BufferSearchSettings window, byte[] data, int n) {
        long start = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < n; i++) {
            try (Buffer buffer = Buffers.getBuffer(window)) {
                sum += buffer.append(data);
            }
        }
        sink += sum;
        return System.nanoTime() - start;
    }

    /**
     * The time since start; throws if a bare model's last write was refused (it fills up and then
     * refuses every write: the figure would time refusals).
     */
    private static long checked(long last, long start) {
        long elapsed = System.nanoTime() - start;
        if (last == 0) {
            throw new IllegalStateException("a bare model refused its writes: it is full");
        }
        sink += last;
        return elapsed;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
