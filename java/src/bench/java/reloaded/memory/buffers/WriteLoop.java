package reloaded.memory.buffers;

/**
 * A plain loop of hot-path writes for instruction counting under callgrind (docs/benchmarks.md):
 * run it with N and 2N writes and divide the difference in instructions by N, which cancels JVM
 * start-up, JIT compilation and the warm-up.
 *
 * <p>Usage: {@code java -cp target/benchmarks.jar reloaded.memory.buffers.WriteLoop ROUTE COUNT}
 * where ROUTE is {@code write} (Buffers.write: the FFM route on JDK 22+, JNI on 17) or {@code jni}
 * (the JNI call on any JDK).
 */
public final class WriteLoop {
    private static final int WARM_UP = 200_000;

    private WriteLoop() {
    }

    public static void main(String[] args) {
        boolean jni = args[0].equals("jni");
        int count = Integer.parseInt(args[1]);
        byte[] data = new byte[16];
        BufferSearchSettings window = BenchWindow.of((long) (WARM_UP + count + 1) * data.length, data.length);
        long sum = 0;
        for (int i = 0; i < WARM_UP + count; i++) {
            sum += jni ? Status.check(NativeBuffers.write(window.minAddress(), window.maxAddress(), data.length, data,
                    0, data.length, false), 0, 0, 0) : Buffers.write(window, data);
        }
        System.out.println("route " + (jni ? "jni" : NativeRoute.name()) + ", " + count + " writes, checksum " + sum);
    }
}
