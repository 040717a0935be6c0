# Sourced by ./evaluator and the benchmarks: the JVM options the server runs with by default, in $jvm_defaults.
# The Graal compiler jars in target/jvmci give GraalJS its optimizing JIT on the stock JDK (see STACK.md).
# Generational ZGC: the heap is shared by every tenant's JavaScript, and a copying collector that stops the world
# makes one tenant's allocation burst (a call holding its whole memory budget) a pause for everyone; with G1,
# bench/isolation.sh measured 60 to 560 ms p99 for another namespace's calls, with ZGC 18 ms (README, Performance).
# A collector chosen in EVALUATOR_JAVA_OPTS (or BENCH_JAVA_OPTS) replaces it.
# jvm_defaults_for JVMCI_DIR USER_OPTS (JVMCI_DIR is the build's jvmci/, beside its libs/)
jvm_defaults_for() {
    jvm_defaults=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI "--upgrade-module-path=$1"
        --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
    # RocksDB's native library, which the build unpacks beside its jar in libs/, is found on the library path
    # (then the JVM's default one): without it, rocksdbjni extracts 17 MB into a new file in java.io.tmpdir on every
    # start, left behind whenever the process is killed, and fails where /tmp is mounted noexec. Not when the user
    # sets a library path (whose own copy or the jar's is then used).
    case " ${2:-} " in
        *" -Djava.library.path="*) ;;
        *) jvm_defaults+=("-Djava.library.path=$(dirname "$1")/libs:/usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib") ;;
    esac
    case " ${2:-} " in
        *" -XX:+Use"*GC" "*) ;;
        *) jvm_defaults+=(-XX:+UseZGC) ;;
    esac
    # Memory given back: ZGC keeps the heap near 256 MiB when the live data fits (it may grow past it, up to the
    # maximum heap, under load) and returns what has been unused for 30 s to the operating system, so an idle
    # server's resident set stays small (bench/scale.sh: 1.2 GiB without, under 300 MiB with, 20,000 libraries).
    # Ignored by other collectors; a -XX:SoftMaxHeapSize or -XX:ZUncommitDelay of the user's replaces these, and a
    # heap size of the user's (which may be below 256 MiB, where the JVM would refuse the soft maximum) drops it.
    case " ${2:-} " in
        *" -XX:SoftMaxHeapSize="* | *" -Xmx"* | *" -XX:MaxHeapSize="* | *" -XX:MaxRAM"*) ;;
        *) jvm_defaults+=(-XX:SoftMaxHeapSize=256m) ;;
    esac
    case " ${2:-} " in
        *" -XX:ZUncommitDelay="*) ;;
        *) jvm_defaults+=(-XX:ZUncommitDelay=30) ;;
    esac
}
