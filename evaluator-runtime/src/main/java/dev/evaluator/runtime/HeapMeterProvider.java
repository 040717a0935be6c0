package dev.evaluator.runtime;

import java.util.Collection;
import java.util.List;

import com.oracle.truffle.api.instrumentation.TruffleInstrument;
import com.oracle.truffle.api.instrumentation.provider.TruffleInstrumentProvider;

/**
 * Not API: how Truffle finds {@link HeapMeterInstrument} ({@code ServiceLoader}, hence public). Truffle's annotation
 * processor would generate this class; the build does not run it, so it is written out.
 */
@TruffleInstrument.Registration(id = HeapMeter.ID, name = "Evaluator heap meter", internal = false,
        services = HeapMeter.class)
public final class HeapMeterProvider extends TruffleInstrumentProvider {
    /** For {@code ServiceLoader}. */
    public HeapMeterProvider() {
    }

    @Override
    protected String getInstrumentClassName() {
        return HeapMeterInstrument.class.getName();
    }

    @Override
    protected Object create() {
        return new HeapMeterInstrument();
    }

    @Override
    protected Collection<String> getServicesClassNames() {
        return List.of(HeapMeter.class.getName());
    }
}
