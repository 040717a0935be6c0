package dev.evaluator.store.etcd;

import dev.evaluator.store.StoreException;
import dev.evaluator.store.StoreListener;
import dev.evaluator.store.StoreWatch;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;

/**
 * A watch of the store's prefix that outlives breaks. Each jetcd watcher is used until its first error or end; then
 * this closes it, tells the listener, and after a pause (growing to 2 s while breaks repeat) opens a new one from the
 * revision after the last change heard. When etcd has compacted that history, the new watcher starts at the current
 * revision and the listener hears {@code connected(true)}: it must read everything again.
 * <p>
 * The watchers ask for the leader ({@code requireLeader}): a member cut off from its cluster's majority ends the
 * watch instead of going silent. A member that dies says nothing either (jetcd reports no error on a watch stream
 * whose connection is gone, etcd-io/jetcd#224, #532), so this asks for a progress report every quarter of the request
 * timeout, and counts the watch broken when it heard nothing (no change, no progress) for a whole request timeout:
 * the listener learns within about that long that it may be missing changes.
 */
final class EtcdWatch implements StoreWatch {
    private static final long FIRST_PAUSE_MILLIS = 100;
    private static final long LONGEST_PAUSE_MILLIS = 2_000;

    private final EtcdStore store;
    private final EtcdKeys keys;
    private final StoreListener listener;
    private final ScheduledExecutorService retries;
    private final Consumer<EtcdWatch> onClose;
    /** Guards the fields below and orders the listener's calls; held while calling it. */
    private final Object lock = new Object();
    private long nextRevision;
    private boolean historyLost;
    private boolean closed;
    private long pauseMillis = FIRST_PAUSE_MILLIS;
    /** The listener of the jetcd watcher in use; null between a break and the next start. */
    private Watcher current;
    /** When the current watcher was opened or last heard from, in {@link System#nanoTime()}. */
    private long lastHeard;
    private final long deadlineNanos;
    private ScheduledFuture<?> heartbeat;

    EtcdWatch(EtcdStore store, EtcdKeys keys, long fromRevision, StoreListener listener,
              ScheduledExecutorService retries, Consumer<EtcdWatch> onClose) {
        this.store = store;
        this.keys = keys;
        this.nextRevision = fromRevision;
        this.listener = listener;
        this.retries = retries;
        this.onClose = onClose;
        this.deadlineNanos = store.options().requestTimeout().toNanos();
    }

    void start() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (heartbeat == null) {
                long period = Math.max(1, deadlineNanos / 4);
                heartbeat = retries.scheduleWithFixedDelay(this::checkAlive, period, period, TimeUnit.NANOSECONDS);
            }
            lastHeard = System.nanoTime();
            WatchOption option = WatchOption.builder()
                    .isPrefix(true)
                    .withRevision(nextRevision)
                    .withCreateNotify(true)
                    .withRequireLeader(true)
                    .build();
            Watcher next = new Watcher();
            current = next;
            Watch.Watcher opened = store.watchClient().watch(EtcdStore.key(keys.prefix()), option, next);
            if (current == next) {
                next.jetcd = opened;
            } else {
                // It broke while opening (jetcd may call back at once); the retry is scheduled already.
                opened.close();
            }
        }
    }

    @Override
    public long revision() {
        synchronized (lock) {
            return nextRevision - 1;
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            if (current != null && current.jetcd != null) {
                current.jetcd.close();
            }
            current = null;
        }
        onClose.accept(this);
    }

    /** Ask the current watcher for progress, or count it broken when it has been silent too long. */
    private void checkAlive() {
        synchronized (lock) {
            if (closed || current == null) {
                return;
            }
            if (System.nanoTime() - lastHeard > deadlineNanos) {
                current.broken(new StoreException(StoreException.Reason.UNAVAILABLE, "Watching " + keys.prefix()
                        + " failed: etcd sent nothing for " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos)
                        + " ms, not even a progress report", null));
            } else if (current.jetcd != null) {
                current.jetcd.requestProgress();
            }
        }
    }

    /** The listener of one jetcd watcher: it ignores everything once that watcher was replaced. */
    private final class Watcher implements Watch.Listener {
        private Watch.Watcher jetcd;

        @Override
        public void onNext(WatchResponse response) {
            synchronized (lock) {
                if (closed || current != this) {
                    return;
                }
                lastHeard = System.nanoTime();
                if (response.isCreatedNotify()) {
                    pauseMillis = FIRST_PAUSE_MILLIS;
                    boolean lost = historyLost;
                    historyLost = false;
                    listener.connected(lost);
                    return;
                }
                for (WatchEvent event : response.getEvents()) {
                    long revision = event.getKeyValue().getModRevision();
                    String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
                    boolean deleted = event.getEventType() == WatchEvent.EventType.DELETE;
                    keys.change(key, deleted, revision).ifPresent(listener::changed);
                    nextRevision = Math.max(nextRevision, revision + 1);
                }
            }
        }

        @Override
        public void onError(Throwable failure) {
            broken(failure);
        }

        @Override
        public void onCompleted() {
            broken(new StoreException(StoreException.Reason.UNAVAILABLE, "The etcd watch ended", null));
        }

        private void broken(Throwable failure) {
            synchronized (lock) {
                if (closed || current != this) {
                    return;
                }
                current = null;
                // Closing it here also stops jetcd's own retry of this watcher: this class retries instead.
                if (jetcd != null) {
                    jetcd.close();
                }
                if (failure instanceof CompactedException) {
                    historyLost = true;
                    nextRevision = 0;
                }
                listener.disconnected(store.wrap("Watching " + keys.prefix(), failure));
                long pause = pauseMillis;
                pauseMillis = Math.min(pauseMillis * 2, LONGEST_PAUSE_MILLIS);
                try {
                    retries.schedule(EtcdWatch.this::start, pause, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // The store is closing: it closes this watch too.
                }
            }
        }
    }
}
