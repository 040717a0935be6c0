package dev.evaluator.store.etcd;

import dev.evaluator.store.FunctionDefinition;
import dev.evaluator.store.FunctionId;
import dev.evaluator.store.LibraryId;
import dev.evaluator.store.Namespace;
import dev.evaluator.store.Store;
import dev.evaluator.store.rocksdb.RocksDbStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an acknowledged write and a linearizable read cost on etcd (one member, and three on one machine, all on
 * loopback, each member syncing its own log to the same disk), beside RocksDB's synced write: a small library
 * (one put), a function (a transaction: read the function and its library's index, compare both, write both), a 1 MiB
 * library, and a read of one library.
 * <p>
 * Run (from the repository root; needs Debian's etcd-server; members start in a temporary directory):
 * <pre>
 * mvn -B -q -o -pl evaluator-store test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/benchmark.classpath -Dmdep.includeScope=test
 * cd evaluator-store &amp;&amp; /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp target/test-classes:target/classes:$(cat target/benchmark.classpath) org.openjdk.jmh.Main EtcdWriteBenchmark \
 *     -wi 2 -w 1 -i 4 -r 2
 * </pre>
 * Measured so (2 cores shared with other builds, load average 6 to 8: indicative only), p50 / p99 in ms:
 * <pre>
 *                        RocksDB       etcd, 1 member   etcd, 3 members
 * upsertSmallLibrary     0.29 / 10.8   1.41 / 18.0      2.87 / 20.0
 * upsertFunction         0.24 /  6.3   3.98 / 25.0      7.39 / 43.3
 * upsertOneMebibyte      6.0  / 34.6   17.3 / 147       35.5 / 328
 * findLibrary            (cached)      0.51 /  4.9      2.00 / 14.4
 * </pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EtcdWriteBenchmark {
    private static final LibraryId SMALL = LibraryId.global("small");
    private static final LibraryId BIG = LibraryId.global("big");
    private static final LibraryId BOUND = new LibraryId(Namespace.scoped("travel-sample", "inventory"), "math");

    /** A store on etcd members (or on RocksDB, {@code members = 0}) in a temporary directory. */
    @State(Scope.Benchmark)
    public static class Stores {
        @Param({"0", "1", "3"})
        int members;

        Path dir;
        EtcdMembers etcd;
        Store store;
        String oneMebibyte;
        long sequence;

        @Setup
        public void open() throws IOException {
            dir = Files.createTempDirectory("etcd-bench");
            if (members == 0) {
                store = RocksDbStore.open(dir.resolve("rocksdb"));
            } else {
                etcd = EtcdMembers.start(dir, members);
                store = EtcdStore.open(etcd.options("/bench/"));
            }
            oneMebibyte = "x".repeat(1 << 20);
            store.libraries().upsert(SMALL, "function f() { return 1; }");
            store.libraries().upsert(BOUND, "function add(a, b) { return a + b; }");
        }

        @TearDown
        public void close() {
            store.close();
            if (etcd != null) {
                etcd.close();
            }
            EtcdMembers.delete(dir);
        }
    }

    @Benchmark
    public Object upsertSmallLibrary(Stores s) {
        return s.store.libraries().upsert(SMALL, "function f() { return " + s.sequence++ + "; }");
    }

    @Benchmark
    public void upsertFunction(Stores s) {
        s.store.functions().upsert(new FunctionDefinition(new FunctionId(Namespace.GLOBAL, "f" + (s.sequence++ % 100)),
                Optional.empty(), BOUND, "add", Instant.now()));
    }

    @Benchmark
    public Object upsertOneMebibyteLibrary(Stores s) {
        return s.store.libraries().upsert(BIG, s.oneMebibyte);
    }

    @Benchmark
    public Object findLibrary(Stores s) {
        return s.store.libraries().find(SMALL);
    }
}
