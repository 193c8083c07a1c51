package reloaded.memory.buffers;

import java.util.Arrays;

/**
 * The Java hot paths as ratios to the empty call of their route, measured in the same JVM in
 * alternating rounds (a busy machine slows both sides of a round alike), the median round printed.
 * scripts/bench.sh runs it in several JVMs and reports min / median / max of the medians.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp target/benchmarks.jar
 * reloaded.memory.buffers.RouteRatios}. Prints {@code route NAME}, then {@code one call RATIO},
 * {@code three calls RATIO} and the no-op's ns per call.
 */
public final class RouteRatios {
    private static final int ROUNDS = 21;
    private static final int OPS = 40_000;
    private static final int BYTES = 16;
    private static long sink;

    private RouteRatios() {
    }

    public static void main(String[] args) {
        byte[] data = new byte[BYTES];
        // Room for the warm-up and every round of both paths.
        BufferSearchSettings window = BenchWindow.of(4L * ROUNDS * OPS * BYTES, BYTES);
        for (int i = 0; i < 3; i++) { // warm-up: the JIT compiles all three loops
            noops(OPS);
            oneCall(window, data, OPS / 2);
            threeCalls(window, data, OPS / 2);
        }
        double[] one = new double[ROUNDS];
        double[] three = new double[ROUNDS];
        double[] floor = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long noop = noops(OPS);
            one[r] = (double) oneCall(window, data, OPS) / noop;
            three[r] = (double) threeCalls(window, data, OPS) / noop;
            floor[r] = (double) noop / OPS;
        }
        System.out.println("route " + NativeRoute.name());
        System.out.printf("one call %.2f%n", median(one));
        System.out.printf("three calls %.2f%n", median(three));
        System.out.printf("no-op ns %.2f%n", median(floor));
        if (sink == 42) {
            System.out.println();
        }
    }

    private static long noops(int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            NativeRoute.noop();
        }
        return System.nanoTime() - start;
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

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
