package dev.evaluator.store.etcd;

import dev.evaluator.store.StoreChange;
import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreListener;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A listener that queues what it hears, for a test to take in order. */
final class RecordingListener implements StoreListener {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** What a listener heard: a {@link StoreChange}, or one of these. */
    record Connected(boolean historyLost) {
    }

    record Disconnected(StoreException cause) {
    }

    private final BlockingQueue<Object> heard = new LinkedBlockingQueue<>();

    @Override
    public void connected(boolean historyLost) {
        heard.add(new Connected(historyLost));
    }

    @Override
    public void changed(StoreChange change) {
        heard.add(change);
    }

    @Override
    public void disconnected(StoreException cause) {
        heard.add(new Disconnected(cause));
    }

    /** The next thing heard, waiting for it. */
    Object next() {
        try {
            Object next = heard.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (next == null) {
                throw new AssertionError("The listener heard nothing within " + WAIT);
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next thing heard that is of a type, skipping others (such as repeated disconnections). */
    <T> T next(Class<T> type) {
        while (true) {
            Object next = next();
            if (type.isInstance(next)) {
                return type.cast(next);
            }
        }
    }

    /** Whether anything more was heard within a short while. */
    Object poll(Duration within) throws InterruptedException {
        return heard.poll(within.toMillis(), TimeUnit.MILLISECONDS);
    }
}
