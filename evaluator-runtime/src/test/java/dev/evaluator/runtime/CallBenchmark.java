package dev.evaluator.runtime;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a call costs in process: {@code add(a, b)} warm, from a platform thread (it runs on that thread) and from a
 * virtual thread (handed to a worker, as the web server's handlers are), a thread pool's hand-off alone, and the
 * first call of a library of 100 KB that no slot has loaded yet, and the first call of a new caller of a library
 * already loaded for another (the cost of a context per caller).
 * <p>
 * Run (from the repository root; the forked JVM inherits the JIT flags):
 * <pre>
 * mvn -B -q -o -pl evaluator-runtime test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/benchmark.classpath -Dmdep.includeScope=test
 * cd evaluator-runtime &amp;&amp; /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -XX:+UnlockExperimentalVMOptions \
 *     -XX:+EnableJVMCI --upgrade-module-path=target/jvmci --enable-native-access=ALL-UNNAMED \
 *     --sun-misc-unsafe-memory-access=allow \
 *     -cp target/test-classes:target/classes:$(cat target/benchmark.classpath) org.openjdk.jmh.Main CallBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CallBenchmark {
    private static final String ADD = "function add(a, b) { return a + b; }";
    private static final CallLimits LIMITS = CallLimits.DEFAULT.withTimeout(Duration.ofSeconds(10));
    private static final int LIBRARY_CHARS = 100_000;

    /** A runtime, a virtual thread executor to call it from, and a one-thread pool to measure a hand-off. */
    @State(Scope.Benchmark)
    public static class Runtimes {
        JsRuntime runtime;
        ExecutorService virtual;
        ThreadPoolExecutor oneThread;
        LibrarySource add = new LibrarySource("bench/add", "add", ADD);

        @Setup
        public void open() {
            runtime = JsRuntime.create();
            virtual = Executors.newVirtualThreadPerTaskExecutor();
            // Like the call workers' pool: the cost of handing a task to a thread and waiting for its result.
            oneThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64));
        }

        @TearDown
        public void close() {
            oneThread.shutdownNow();
            virtual.shutdownNow();
            runtime.close();
        }
    }

    /** A new 100 KB library before each call, so every measured call loads it. */
    @State(Scope.Benchmark)
    public static class NewLibrary {
        JsRuntime runtime;
        int version;
        LibrarySource library;

        @Setup
        public void open() {
            runtime = JsRuntime.create();
        }

        @Setup(Level.Invocation)
        public void post() {
            version++;
            library = new LibrarySource("bench/big-" + version, "big", library(version));
        }

        @TearDown
        public void close() {
            runtime.close();
        }
    }

    /**
     * A 100 KB library already loaded for one caller, called by a new caller (user) each time: what a context per
     * namespace and user costs once per caller and slot, and what a fresh context per call (a reset) would cost on
     * every call.
     */
    @State(Scope.Benchmark)
    public static class NewCaller {
        JsRuntime runtime;
        LibrarySource library = new LibrarySource("bench/shared", "shared", library(0));
        int user;
        Caller caller;

        @Setup
        public void open() {
            runtime = JsRuntime.create();
            runtime.call(library, "entry", "[3]", LIMITS);
        }

        @Setup(Level.Invocation)
        public void next() {
            user++;
            caller = new Caller("bench", "user-" + user, "bench");
        }

        @TearDown
        public void close() {
            runtime.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 10, batchSize = 1)
    @Measurement(iterations = 30, batchSize = 1)
    public CallResult firstCallOfANewCallerOf100KbLibrary(NewCaller state) {
        return state.runtime.call(state.library, "entry", "[3]", LIMITS, state.caller);
    }

    @Benchmark
    public CallResult addFromAPlatformThread(Runtimes state) {
        return state.runtime.call(state.add, "add", "[1, 2]", LIMITS);
    }

    @Benchmark
    public CallResult addFromAVirtualThread(Runtimes state) throws ExecutionException, InterruptedException {
        return state.virtual.submit(() -> state.runtime.call(state.add, "add", "[1, 2]", LIMITS)).get();
    }

    @Benchmark
    public Integer handoffToAPoolThreadAlone(Runtimes state) throws ExecutionException, InterruptedException {
        return state.oneThread.submit(() -> 1).get();
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 10, batchSize = 1)
    @Measurement(iterations = 30, batchSize = 1)
    public CallResult firstCallOf100KbLibrary(NewLibrary state) {
        return state.runtime.call(state.library, "entry", "[3]", LIMITS);
    }

    /** A library of about 100 KB: lookup tables, helpers calling each other, string and array work. */
    static String library(int version) {
        StringBuilder code = new StringBuilder("// version ").append(version).append('\n');
        code.append("const RATES = {");
        for (int i = 0; i < 200; i++) {
            code.append(i == 0 ? "" : ", ").append("r").append(i).append(": ").append(i * 0.01);
        }
        code.append("};\n");
        int i = 0;
        while (code.length() < LIBRARY_CHARS) {
            code.append("""
                    /** Step %1$d: scales, formats and sums. */
                    function step%1$d(x, opts = {}) {
                      const factor = RATES['r' + (%1$d %% 200)] || 1;
                      let total = 0;
                      for (let k = 0; k < (opts.rounds || 3); k++) {
                        total += Math.round(x * factor * 100) / 100 + k;
                      }
                      const label = `step-%1$d:${total.toFixed(2)}`;
                      return {total, label, parts: label.split(':').map((p) => p.length)};
                    }
                    """.formatted(i));
            i++;
        }
        code.append("function entry(x) {\n  let sum = 0;\n");
        for (int k = 0; k < i; k += Math.max(1, i / 20)) {
            code.append("  sum += step").append(k).append("(x).total;\n");
        }
        code.append("  return sum;\n}\n");
        return code.toString();
    }
}
