package reloaded.memory.buffers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** Runs users of a view on two threads while the caller closes what they use. */
final class CloseRace {
    /** One user's work; any exception it lets out fails the race. */
    interface Use {
        void run() throws Exception;
    }

    private CloseRace() {
    }

    /** Starts two threads running use, runs close once both have started, joins, rethrows a failure. */
    static void race(Use use, Runnable close) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> users = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread user = new Thread(() -> {
                started.countDown();
                try {
                    use.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            users.add(user);
            user.start();
        }
        started.await();
        close.run();
        for (Thread user : users) {
            user.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("a user of the view failed while it was closed", failure.get());
        }
    }
}
