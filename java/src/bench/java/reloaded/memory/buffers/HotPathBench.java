package reloaded.memory.buffers;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The hot path (get a buffer that exists + append 16 bytes + release) through each route, beside a
 * bare JNI call and the same loop run entirely in C. Every append consumes space, so each
 * invocation does a fixed number of operations (single-shot mode) inside one 64 MiB buffer that
 * only these requests can match: the figures never include making buffers.
 *
 * <p>Run: {@code mvn -Pbench -DskipTests package && java -jar target/benchmarks.jar HotPathBench}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HotPathBench {
    static final int OPS = 100_000;
    static final int BIG = 64 << 20;

    BufferSearchSettings window;
    final byte[] data = new byte[16];

    /** One big buffer, prefaulted; the window is exactly its range, so every request below finds it. */
    @Setup
    public void makeBuffer() {
        window = BenchWindow.of(BIG, data.length);
    }

    /** JNI transition floor: a native method that does nothing. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void bareJniCall() {
        for (int i = 0; i < OPS; i++) {
            NativeBuffers.noop();
        }
    }

    /** The floor of Buffers.write's route: an empty JNI call on JDK 17, an empty critical FFM downcall on 22+. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void routeNoop() {
        for (int i = 0; i < OPS; i++) {
            NativeRoute.noop();
        }
    }

    /** The C hot path, looped in C: no Java per operation. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public long cHotPath() {
        long last = NativeBuffers.hotPathInC(window.minAddress(), window.maxAddress(), data, OPS);
        if (last <= 0) {
            throw new IllegalStateException("the C loop failed: " + Status.name((int) -last) + " "
                    + NativeBuffers.lastError());
        }
        return last;
    }

    /** Buffers.write: one JNI call on JDK 17, a critical FFM downcall on JDK 22+. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void javaOneCall(Blackhole bh) {
        for (int i = 0; i < OPS; i++) {
            bh.consume(Buffers.write(window, data));
        }
    }

    /** The JNI route of Buffers.write, called directly: the same on every JDK (22+ otherwise takes FFM). */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void jniOneCall(Blackhole bh) {
        for (int i = 0; i < OPS; i++) {
            bh.consume(Status.check(NativeBuffers.write(window.minAddress(), window.maxAddress(), data.length, data, 0,
                    data.length, false), 0, 0, 0));
        }
    }

    /** getBuffer + append + close: a JNI get, then append and close through the route (docs/java.md), plus a Buffer. */
    @Benchmark
    @OperationsPerInvocation(OPS)
    public void javaGetAppendClose(Blackhole bh) {
        for (int i = 0; i < OPS; i++) {
            try (Buffer buffer = Buffers.getBuffer(window)) {
                bh.consume(buffer.append(data));
            }
        }
    }
}
