package dev.evaluator.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Execution slots, the fair queue in front of them, and the pool of worker threads that runs calls in them.
 * <p>
 * <b>Fairness.</b> Waiting calls are kept per namespace, and namespaces take turns: the next call comes from the
 * first namespace in turn order that holds less than its share of the slots ({@code max(1, floor(share x slots))}),
 * which then goes to the back of the turn order. A namespace that holds its share takes a free slot only if more
 * slots are free than there are <em>active</em> namespaces below their share that do not wait right now (active: a
 * call of theirs started within the last {@value #ACTIVE_WINDOW_MILLIS} ms). So a namespace whose calls run long
 * (runaway loops, say) cannot gather every slot in the gaps between another namespace's short calls: the others
 * find their share free when they come back, and the runaway costs only its own namespace's share. A namespace alone
 * still uses every slot.
 * <p>
 * <b>Growth.</b> A call of a namespace below its share that finds no free slot adds one at once (up to
 * {@code maxWorkers}, unless the heap is under pressure): a namespace below its share never waits for others' calls.
 * Besides, every {@value #ADJUST_MILLIS} ms: when calls wait, no slot is free, every running call has run longer than
 * {@code growAfter} and the heap is not under pressure, one slot is added, up to {@code maxWorkers}; a slot beyond
 * {@code workers} unused for {@code idleAfter} is closed with its contexts.
 * <p>
 * <b>Threads.</b> Each slot has its own worker thread, started with its first call and ended with the slot: a call
 * started in a slot is handed to that thread (a write and, if it sleeps, one wake-up), and a worker that finishes a
 * call runs the next one its slot is given without sleeping. So a slot's contexts are always entered by the same
 * thread. A pool whose threads waited for tasks in a {@code SynchronousQueue} instead (before) had more threads than
 * slots under load, and each wait and hand-off spun and parked: 8 us of CPU per call on 2 cores.
 * <p>
 * <b>Memory bombs pay for themselves.</b> A call stopped for holding more than its memory budget made the collector
 * work for every namespace (the heap is shared): its namespace then rests, starting no call for as long as that call
 * ran (at most {@value #MAX_REST_MILLIS} ms), so that a namespace firing allocation bombs back to back uses at most
 * about half a slot's time for them while the others' calls go on.
 * <p>
 * A full queue refuses a call with {@code BUSY}, unless another namespace has more than one call more waiting than
 * the caller's: then that namespace's newest waiting call is refused with {@code BUSY} instead, so that one
 * namespace filling the queue cannot lock the others out.
 * <p>
 * <b>In-process callers.</b> A blocking call from a platform thread runs on that thread when a slot is free and no
 * call waits, with no hand-off; its slot counts like any other.
 */
final class CallScheduler implements AutoCloseable {
    static final long ADJUST_MILLIS = 100;
    /** How long after its last call started a namespace counts as active (its share of the slots is kept free). */
    static final long ACTIVE_WINDOW_MILLIS = 5_000;
    private static final long ACTIVE_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(ACTIVE_WINDOW_MILLIS);
    /** The longest a namespace rests after a call of it was stopped for memory. */
    static final long MAX_REST_MILLIS = 5_000;

    /** Runs one call in a slot, on the calling thread. */
    interface Runner {
        CallResult run(LibraryContexts slot, QueuedCall call);
    }

    record Start(QueuedCall call, LibraryContexts slot) {
    }

    private final RuntimeSettings settings;
    private final Runner runner;
    private final BooleanSupplier heapPressure;
    private final AtomicInteger threadCount = new AtomicInteger();
    /** Makes a slot's worker thread (one object, not a new method reference per hand-off). */
    private final Function<LibraryContexts, Thread> workers = this::newWorker;
    private final ScheduledExecutorService adjuster;
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder busyRejections = new LongAdder();
    private final Map<CancelCause, LongAdder> cancelledWhileQueued = new EnumMap<>(CancelCause.class);

    private final ReentrantLock lock = new ReentrantLock();
    // Everything below is guarded by lock.
    private final Map<String, ArrayDeque<QueuedCall>> waiting = new HashMap<>();
    /** Namespaces with waiting calls, in turn order. */
    private final ArrayDeque<String> turns = new ArrayDeque<>();
    private final Map<String, Integer> held = new HashMap<>();
    /** When each active namespace last started a call ({@link System#nanoTime()}); pruned by {@link #adjust()}. */
    private final Map<String, Long> lastStarted = new HashMap<>();
    /** Namespaces resting after a memory stop, until when ({@link System#nanoTime()}); pruned by {@link #adjust()}. */
    private final Map<String, Long> restingUntil = new HashMap<>();
    private final Map<Long, QueuedCall> calls = new LinkedHashMap<>();
    /** Free slots, the most recently used first. */
    private final ArrayDeque<LibraryContexts> free = new ArrayDeque<>();
    private final List<LibraryContexts> slots = new ArrayList<>();
    private int queued;
    private int running;
    private int inline;
    private boolean closed;

    CallScheduler(RuntimeSettings settings, Runner runner, BooleanSupplier heapPressure) {
        this.settings = settings;
        this.runner = runner;
        this.heapPressure = heapPressure;
        for (CancelCause cause : CancelCause.values()) {
            cancelledWhileQueued.put(cause, new LongAdder());
        }
        for (int i = 0; i < settings.workers(); i++) {
            LibraryContexts slot = new LibraryContexts(settings.contextsPerWorker());
            slots.add(slot);
            free.add(slot);
        }
        this.adjuster = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "js-pool");
            thread.setDaemon(true);
            return thread;
        });
        adjuster.scheduleWithFixedDelay(this::adjust, ADJUST_MILLIS, ADJUST_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Queue a call; it starts at once if a slot is free.
     *
     * @throws JsExecutionException  {@code BUSY} if the queue is full
     * @throws IllegalStateException if the scheduler is closed
     */
    QueuedCall submit(LibrarySource library, String function, String argsJson, CallLimits limits, Caller caller) {
        QueuedCall call = new QueuedCall(this, ids.incrementAndGet(), library, function, argsJson, limits, caller);
        List<Start> starts;
        QueuedCall bumped = null;
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the runtime is closed");
            }
            // In-process callers hold slots without a worker: as many more calls may wait (the previous design's
            // workers each held one such call while waiting for a slot).
            if (queued >= settings.queueCapacity() + inline) {
                // A full queue must not lock other namespaces out: the namespace with the most waiting calls gives
                // up its newest one, unless that is the caller's own namespace.
                Optional<QueuedCall> displaced = displaceLocked(caller.namespace());
                if (displaced.isEmpty()) {
                    busyRejections.increment();
                    throw busy();
                }
                bumped = displaced.get();
            }
            calls.put(call.id, call);
            waiting.computeIfAbsent(caller.namespace(), namespace -> {
                turns.addLast(namespace);
                return new ArrayDeque<>();
            }).addLast(call);
            queued++;
            starts = dispatchLocked();
            // A namespace below its share does not wait for other namespaces' calls: the pool grows for it.
            while (call.phase == QueuedCall.Phase.QUEUED && slots.size() < settings.maxWorkers()
                    && held.getOrDefault(caller.namespace(), 0) < shareLocked()
                    && !restingLocked(caller.namespace(), System.nanoTime()) && !heapPressure.getAsBoolean()) {
                addSlotLocked();
                List<Start> more = dispatchLocked();
                if (more.isEmpty()) {
                    break;
                }
                starts = new ArrayList<>(starts);
                starts.addAll(more);
            }
        } finally {
            lock.unlock();
        }
        if (bumped != null) {
            busyRejections.increment();
            bumped.fail(busy());
        }
        startAll(starts, null);
        return call;
    }

    private JsExecutionException busy() {
        return new JsExecutionException(JsExecutionException.Kind.BUSY, "all " + slots.size()
                + " JavaScript workers are busy and the queue is full; retry later");
    }

    /** The newest waiting call of the namespace with the most waiting calls, removed, if that is not this one's. */
    private Optional<QueuedCall> displaceLocked(String namespace) {
        String biggest = null;
        int most = 0;
        for (Map.Entry<String, ArrayDeque<QueuedCall>> line : waiting.entrySet()) {
            if (line.getValue().size() > most) {
                biggest = line.getKey();
                most = line.getValue().size();
            }
        }
        ArrayDeque<QueuedCall> own = waiting.get(namespace);
        if (biggest == null || biggest.equals(namespace) || most <= (own == null ? 0 : own.size()) + 1) {
            return Optional.empty();
        }
        ArrayDeque<QueuedCall> line = waiting.get(biggest);
        QueuedCall newest = line.removeLast();
        if (line.isEmpty()) {
            waiting.remove(biggest);
            turns.remove(biggest);
        }
        queued--;
        newest.phase = QueuedCall.Phase.DONE;
        calls.remove(newest.id);
        return Optional.of(newest);
    }

    /**
     * Run a call on this platform thread if a slot is free and nothing waits.
     *
     * @return the call, over, or empty if it must be submitted instead
     */
    Optional<QueuedCall> runHere(LibrarySource library, String function, String argsJson, CallLimits limits,
                                 Caller caller) {
        QueuedCall call;
        LibraryContexts slot;
        lock.lock();
        try {
            if (closed || queued > 0 || free.isEmpty()
                    || !mayTakeFreeSlotLocked(caller.namespace(), System.nanoTime(), shareLocked())) {
                return Optional.empty();
            }
            call = new QueuedCall(this, ids.incrementAndGet(), library, function, argsJson, limits, caller);
            calls.put(call.id, call);
            slot = free.pop();
            beginLocked(call);
            inline++;
        } finally {
            lock.unlock();
        }
        Runnable deliver = execute(call, slot);
        List<Start> starts;
        lock.lock();
        try {
            inline--;
            starts = releaseLocked(call, slot);
        } finally {
            lock.unlock();
        }
        deliver.run();
        startAll(starts, null);
        return Optional.of(call);
    }

    /** Calls waiting for a slot. */
    int queued() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }

    long busyRejections() {
        return busyRejections.sum();
    }

    long cancelledWhileQueued(CancelCause cause) {
        return cancelledWhileQueued.get(cause).sum();
    }

    /** The running and queued calls, running first. */
    List<CallInfo> calls() {
        long now = System.nanoTime();
        List<CallInfo> list = new ArrayList<>();
        lock.lock();
        try {
            for (QueuedCall call : calls.values()) {
                if (call.phase == QueuedCall.Phase.RUNNING) {
                    list.add(info(call, CallInfo.State.RUNNING, call.startedAt, now));
                }
            }
            for (QueuedCall call : calls.values()) {
                if (call.phase == QueuedCall.Phase.QUEUED) {
                    list.add(info(call, CallInfo.State.QUEUED, call.queuedAt, now));
                }
            }
        } finally {
            lock.unlock();
        }
        return List.copyOf(list);
    }

    private static CallInfo info(QueuedCall call, CallInfo.State state, Instant started, long now) {
        return new CallInfo(call.id, call.library.key(), call.function, call.caller.namespace(), call.caller.user(),
                call.caller.entryPoint(), state, started == null ? call.queuedAt : started, call.elapsed(now));
    }

    /** Cancel by id. */
    boolean cancel(long id, CancelCause cause) {
        QueuedCall call;
        lock.lock();
        try {
            call = calls.get(id);
        } finally {
            lock.unlock();
        }
        return call != null && cancel(call, cause);
    }

    /** Remove a queued call, or ask a running one to stop. */
    boolean cancel(QueuedCall call, CancelCause cause) {
        lock.lock();
        try {
            switch (call.phase) {
                case DONE -> {
                    return false;
                }
                case QUEUED -> {
                    ArrayDeque<QueuedCall> line = waiting.get(call.caller.namespace());
                    line.remove(call);
                    if (line.isEmpty()) {
                        waiting.remove(call.caller.namespace());
                        turns.remove(call.caller.namespace());
                    }
                    queued--;
                    call.phase = QueuedCall.Phase.DONE;
                    calls.remove(call.id);
                    cancelledWhileQueued.get(cause).increment();
                }
                case RUNNING -> {
                    // Stopped outside the lock: the runner counts it and reports it when the call ends.
                }
            }
        } finally {
            lock.unlock();
        }
        if (call.phase == QueuedCall.Phase.DONE) {
            call.fail(new JsCallCancelledException(call.id, cause));
            return true;
        }
        return call.requestCancel(cause);
    }

    /** Ask every slot to close a library's contexts: free slots at once, held ones before their next call. */
    void release(String libraryKey) {
        lock.lock();
        try {
            for (LibraryContexts slot : slots) {
                slot.requestRelease(libraryKey);
            }
            for (LibraryContexts slot : free) {
                slot.applyReleases();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Apply an action to every free slot's contexts, under the lock (no call may take the slot meanwhile). */
    void forEachFreeSlot(Consumer<LibraryContexts> action) {
        lock.lock();
        try {
            free.forEach(action);
        } finally {
            lock.unlock();
        }
    }

    /** Slots now, running calls, and the per-namespace load. */
    record Load(int slots, int running, int queued, Map<String, Integer> runningByNamespace,
                Map<String, Integer> queuedByNamespace) {
    }

    Load load() {
        lock.lock();
        try {
            Map<String, Integer> queuedBy = new HashMap<>();
            waiting.forEach((namespace, line) -> queuedBy.put(namespace, line.size()));
            Map<String, Integer> runningBy = new HashMap<>();
            held.forEach((namespace, count) -> {
                if (count > 0) {
                    runningBy.put(namespace, count);
                }
            });
            return new Load(slots.size(), running, queued, runningBy, queuedBy);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        List<QueuedCall> neverStarted = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (ArrayDeque<QueuedCall> line : waiting.values()) {
                for (QueuedCall call : line) {
                    call.phase = QueuedCall.Phase.DONE;
                    calls.remove(call.id);
                    neverStarted.add(call);
                }
            }
            waiting.clear();
            turns.clear();
            queued = 0;
        } finally {
            lock.unlock();
        }
        for (QueuedCall call : neverStarted) {
            call.fail(new IllegalStateException("the runtime is closed"));
        }
        adjuster.shutdownNow();
        lock.lock();
        try {
            slots.forEach(LibraryContexts::stopWorker);
        } finally {
            lock.unlock();
        }
    }

    private List<Start> dispatchLocked() {
        List<Start> starts = List.of();
        while (queued > 0 && !free.isEmpty() && !closed) {
            QueuedCall next = pickLocked();
            if (next == null) {
                break;
            }
            LibraryContexts slot = free.pop();
            beginLocked(next);
            if (starts.isEmpty()) {
                starts = new ArrayList<>();
            }
            starts.add(new Start(next, slot));
        }
        return starts;
    }

    /** The slots one namespace may hold while others want theirs. */
    private int shareLocked() {
        return Math.max(1, (int) Math.floor(settings.maxNamespaceShare() * slots.size()));
    }

    /**
     * The next call to start, or null if every waiting namespace holds its share and the free slots are kept for
     * active namespaces below theirs.
     */
    private QueuedCall pickLocked() {
        int share = shareLocked();
        long now = System.nanoTime();
        String chosen = null;
        // Namespaces below their share first, in turn order; then the first that may take a free slot anyway.
        for (String namespace : turns) {
            if (!restingLocked(namespace, now) && held.getOrDefault(namespace, 0) < share) {
                chosen = namespace;
                break;
            }
        }
        if (chosen == null) {
            // Every waiting namespace holds its share (or rests): the first one that does not rest, if the free
            // slots are more than those kept for others (the same count for every waiting namespace).
            for (String namespace : turns) {
                if (!restingLocked(namespace, now)) {
                    chosen = namespace;
                    break;
                }
            }
            if (chosen == null || !mayTakeFreeSlotLocked(chosen, now, share)) {
                return null;
            }
        }
        turns.remove(chosen);
        ArrayDeque<QueuedCall> line = waiting.get(chosen);
        QueuedCall call = line.removeFirst();
        if (line.isEmpty()) {
            waiting.remove(chosen);
        } else {
            turns.addLast(chosen);
        }
        queued--;
        return call;
    }

    /**
     * Whether a call of this namespace may take a free slot now: not while it rests, and beyond its share only if
     * more slots are free than {@link #reservedLocked} keeps for others.
     */
    private boolean mayTakeFreeSlotLocked(String namespace, long now, int share) {
        return !restingLocked(namespace, now) && (held.getOrDefault(namespace, 0) < share
                || free.size() > reservedLocked(now, share, free.size()));
    }

    /**
     * Active namespaces that wait for nothing and hold less than their share: each may come back for a slot. Counted
     * up to {@code enough}.
     */
    private int reservedLocked(long now, int share, int enough) {
        int reserved = 0;
        for (Map.Entry<String, Long> active : lastStarted.entrySet()) {
            if (now - active.getValue() <= ACTIVE_WINDOW_NANOS && !waiting.containsKey(active.getKey())
                    && held.getOrDefault(active.getKey(), 0) < share && ++reserved >= enough) {
                break;
            }
        }
        return reserved;
    }

    private boolean restingLocked(String namespace, long now) {
        if (restingUntil.isEmpty()) {
            return false;
        }
        Long until = restingUntil.get(namespace);
        return until != null && now - until < 0;
    }

    private void addSlotLocked() {
        LibraryContexts slot = new LibraryContexts(settings.contextsPerWorker());
        slots.add(slot);
        free.push(slot);
    }

    private void beginLocked(QueuedCall call) {
        lastStarted.put(call.caller.namespace(), System.nanoTime());
        call.phase = QueuedCall.Phase.RUNNING;
        call.started();
        held.merge(call.caller.namespace(), 1, Integer::sum);
        running++;
    }

    private List<Start> releaseLocked(QueuedCall call, LibraryContexts slot) {
        call.phase = QueuedCall.Phase.DONE;
        calls.remove(call.id);
        held.merge(call.caller.namespace(), -1, Integer::sum);
        held.remove(call.caller.namespace(), 0);
        running--;
        long now = System.nanoTime();
        if (call.restNanos > 0) {
            restingUntil.merge(call.caller.namespace(), now + call.restNanos, Math::max);
        }
        slot.used(now);
        free.push(slot);
        return dispatchLocked();
    }

    /**
     * Run the call on this thread, never throwing.
     *
     * @return what hands the outcome to the call's waiter: run it once the slot is released, so that a call whose
     *         outcome is known is no longer listed
     */
    private Runnable execute(QueuedCall call, LibraryContexts slot) {
        try {
            CallResult result = runner.run(slot, call);
            return () -> call.complete(result);
        } catch (RuntimeException e) {
            if (e instanceof JsExecutionException failure && failure.kind() == JsExecutionException.Kind.MEMORY_LIMIT) {
                call.restNanos = Math.min(System.nanoTime() - call.startedNanos,
                        TimeUnit.MILLISECONDS.toNanos(MAX_REST_MILLIS));
            }
            return () -> call.fail(e);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // Outside JavaScript: the worker unwound, so it can go on; the caller learns what happened.
            IllegalStateException failure = new IllegalStateException("the call failed outside JavaScript: " + e, e);
            return () -> call.fail(failure);
        }
    }

    /**
     * Hand calls to their slots' worker threads; one started in {@code own} (the slot of the worker that calls this)
     * is returned instead, for that worker to run next.
     */
    private Start startAll(List<Start> starts, LibraryContexts own) {
        Start mine = null;
        for (Start start : starts) {
            if (start.slot() == own) {
                mine = start;
            } else if (!start.slot().handToWorker(start, workers)) {
                // Only after close: the call must not wait forever.
                lock.lock();
                try {
                    releaseLocked(start.call(), start.slot());
                } finally {
                    lock.unlock();
                }
                start.call().fail(new IllegalStateException("the runtime is closed"));
            }
        }
        return mine;
    }

    /** A new worker thread for a slot, not started. */
    private Thread newWorker(LibraryContexts slot) {
        Thread thread = new Thread(null, () -> work(slot), "js-call-" + threadCount.incrementAndGet(),
                settings.workerStackBytes());
        thread.setDaemon(true);
        return thread;
    }

    /** A slot's worker: run each call handed to the slot, and the next one its release dispatches, until stopped. */
    private void work(LibraryContexts slot) {
        try {
            while (true) {
                Start current = slot.nextForWorker();
                if (current == null) {
                    return;
                }
                while (current != null) {
                    Runnable deliver = execute(current.call(), current.slot());
                    List<Start> starts;
                    lock.lock();
                    try {
                        starts = releaseLocked(current.call(), current.slot());
                    } finally {
                        lock.unlock();
                    }
                    deliver.run();
                    current = startAll(starts, slot);
                }
            }
        } finally {
            // Ended by an error outside the call's own handling (an OutOfMemoryError while the heap is exhausted):
            // the slot's next call gets a new thread instead of waiting for this one.
            slot.workerEnded(workers);
        }
    }

    /** Grow the pool when every slot is held by a long call and calls wait; shrink it when slots idle. */
    private void adjust() {
        try {
            List<Start> starts = List.of();
            LibraryContexts idle = null;
            long now = System.nanoTime();
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                lastStarted.values().removeIf(started -> now - started > ACTIVE_WINDOW_NANOS);
                restingUntil.values().removeIf(until -> now - until >= 0);
                if (queued > 0 && free.isEmpty() && slots.size() < settings.maxWorkers() && allRunLongerThan(now,
                        settings.growAfter()) && !heapPressure.getAsBoolean()) {
                    addSlotLocked();
                    starts = dispatchLocked();
                } else if (queued > 0 && !free.isEmpty()) {
                    // Slots kept for namespaces that went quiet are given to the waiting calls.
                    starts = dispatchLocked();
                } else if (queued == 0 && slots.size() > settings.workers() && !free.isEmpty()
                        && now - free.getLast().lastUsedNanos() > settings.idleAfter().toNanos()) {
                    idle = free.removeLast();
                    slots.remove(idle);
                }
            } finally {
                lock.unlock();
            }
            startAll(starts, null);
            if (idle != null) {
                idle.stopWorker();
                idle.closeAll();
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: the pool must keep adjusting.
            System.getLogger(CallScheduler.class.getName()).log(System.Logger.Level.ERROR, "pool adjust failed", e);
        }
    }

    private boolean allRunLongerThan(long now, Duration threshold) {
        long limit = threshold.toNanos();
        Iterator<QueuedCall> it = calls.values().iterator();
        while (it.hasNext()) {
            QueuedCall call = it.next();
            if (call.phase == QueuedCall.Phase.RUNNING && now - call.startedNanos < limit) {
                return false;
            }
        }
        return true;
    }
}
