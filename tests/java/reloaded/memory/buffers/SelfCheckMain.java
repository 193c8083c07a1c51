package reloaded.memory.buffers;

/**
 * Run in a child JVM by SelfCheckTest, with the self-checked JNI library. First the library is
 * loaded and the locator opened (neither runs the check: every first use pays for those), then the
 * probe runs the check. Prints {@code available=<bool>}, {@code cause=<message>},
 * {@code route=<jni|ffm>}, then either {@code again=<status> ns=<fastest of five later checks>} and
 * {@code write ok}, or {@code call threw <class>: <message>} for a write through the route.
 */
public final class SelfCheckMain {
    private SelfCheckMain() {
    }

    public static void main(String[] args) {
        Buffers.version();
        Buffers.locatorAddress();
        boolean available = Buffers.isAvailable();
        Throwable cause = Buffers.unavailabilityCause();
        System.out.println("available=" + available);
        System.out.println("cause=" + (cause == null ? "" : cause.getMessage()));
        System.out.println("route=" + NativeRoute.name());
        if (available) {
            // The fastest of five later checks: one descheduled moment (a JIT or GC thread on a
            // shared core) is not what a second check costs.
            long again = 0;
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                again |= NativeBuffers.selfCheck();
                best = Math.min(best, System.nanoTime() - start);
            }
            System.out.println("again=" + again + " ns=" + best);
        }
        try {
            Buffers.write(BufferSearchSettings.defaults(), new byte[] {1, 2, 3});
            System.out.println("write ok");
        } catch (Throwable t) {
            System.out.println("call threw " + t.getClass().getName() + ": " + t.getMessage());
        }
    }
}
