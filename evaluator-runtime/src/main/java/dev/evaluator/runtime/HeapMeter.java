package dev.evaluator.runtime;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Instrument;

import com.oracle.truffle.api.ThreadLocalAction;
import com.oracle.truffle.api.TruffleContext;
import com.oracle.truffle.api.instrumentation.TruffleInstrument;

/**
 * Measures the heap a context retains, with Truffle's {@code calculateContextHeapSize}: a walk of what is reachable
 * from the context, so garbage it made does not count. It is offered by an internal instrument of this module
 * ({@link HeapMeterInstrument}), the only way an embedder reaches that API; the walk stops once it passes the bound it
 * is given, so measuring costs at most about the bound.
 */
final class HeapMeter {
    static final String ID = "evaluator-heap-meter";

    private final TruffleInstrument.Env env;

    HeapMeter(TruffleInstrument.Env env) {
        this.env = env;
    }

    /**
     * The meter of an engine.
     *
     * @param engine the engine
     * @return the meter, or empty if the instrument is not installed
     */
    static Optional<HeapMeter> of(Engine engine) {
        Instrument instrument = engine.getInstruments().get(ID);
        return instrument == null ? Optional.empty() : Optional.ofNullable(instrument.lookup(HeapMeter.class));
    }

    /**
     * The handle to measure a context by, taken on the thread that uses the context, outside any call.
     *
     * @param context the polyglot context
     * @return the handle
     */
    Object handle(Context context) {
        context.enter();
        try {
            TruffleContext entered = env.getEnteredContext();
            if (entered == null) {
                throw new IllegalStateException("no context entered");
            }
            return entered;
        } finally {
            context.leave();
        }
    }

    /**
     * Measure a running context on the thread running it, at its next safepoint (Truffle measures only on a thread
     * that has entered a context), without waiting for the result.
     *
     * @param handle from {@link #handle(Context)}
     * @param thread the thread running the context
     * @param stopAt stop counting beyond this many bytes
     * @param result receives the bytes, on that thread
     */
    void measureOn(Object handle, Thread thread, long stopAt, LongConsumer result) {
        TruffleContext context = (TruffleContext) handle;
        env.submitThreadLocal(context, new Thread[] {thread}, new ThreadLocalAction(false, false) {
            @Override
            protected void perform(Access access) {
                result.accept(env.calculateContextHeapSize(context, stopAt, new AtomicBoolean()));
            }
        });
    }

    /**
     * The heap the context retains, counted up to a bound.
     *
     * @param handle  from {@link #handle(Context)}
     * @param stopAt  stop counting beyond this many bytes
     * @return the bytes, or a number above {@code stopAt}
     * @throws IllegalStateException if this thread never entered a context
     * @throws UnsupportedOperationException if this JVM cannot measure
     */
    long retained(Object handle, long stopAt) {
        return env.calculateContextHeapSize((TruffleContext) handle, stopAt, new AtomicBoolean());
    }
}
