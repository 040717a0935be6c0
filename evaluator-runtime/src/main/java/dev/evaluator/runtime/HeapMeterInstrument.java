package dev.evaluator.runtime;

import com.oracle.truffle.api.instrumentation.TruffleInstrument;

/** The internal instrument that offers {@link HeapMeter} to the runtime; see {@link HeapMeterProvider}. */
@TruffleInstrument.Registration(id = HeapMeter.ID, name = "Evaluator heap meter", internal = false,
        services = HeapMeter.class)
final class HeapMeterInstrument extends TruffleInstrument {
    @Override
    protected void onCreate(Env env) {
        env.registerService(new HeapMeter(env));
    }
}
