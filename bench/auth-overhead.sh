#!/usr/bin/env bash
# What the password check costs over HTTP: an authenticated GET /evaluator/v1/libraries/f2c against two servers
# that differ only in the check (BenchServer in the test sources):
#   cached     the production Credentials: PBKDF2 (600,000 iterations), successful checks cached
#   no-verify  the same users and roles from the store, every password accepted without hashing (the baseline)
# wrk loads each server in turn (warm-up, then rounds A,B,A,B,...); the result is the ratio of the median
# requests/s, which must be at least BENCH_THRESHOLD (0.80). Exit code 0 on PASS, 1 on FAIL or error.
#
#   bench/auth-overhead.sh                                         # defaults: 10 s warm-up, 5 rounds of 10 s
#   BENCH_WARMUP=3 BENCH_DURATION=3 BENCH_ROUNDS=2 bench/auth-overhead.sh    # a quick look
#
# Other settings: BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_JAVA_OPTS (extra JVM options for both servers),
# BENCH_SKIP_BUILD=1 (use the last build), BENCH_BUILD_ATTEMPTS (3; a build can collide with a concurrent one).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh
bench=auth-overhead
. bench/common.sh
. scripts/jvm-defaults.sh

warmup="${BENCH_WARMUP:-10}"
duration="${BENCH_DURATION:-10}"
rounds="${BENCH_ROUNDS:-5}"
threads="${BENCH_THREADS:-2}"
connections="${BENCH_CONNECTIONS:-32}"
threshold="${BENCH_THRESHOLD:-0.80}"

bench_need curl mvn
bench_workdir
bench_build
if ! mvn -B -q -Dstyle.color=never -pl evaluator-api dependency:build-classpath \
        -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt" >"$work/classpath.log" 2>&1; then
    cat "$work/classpath.log" >&2
    echo "auth-overhead: could not resolve the test class path (log above)." >&2
    exit 1
fi

# Run from a copy of the build, so a concurrent build or clean cannot change classes under the running servers.
api=evaluator-api/target
cp -r "$api/classes" "$work/classes"
cp -r "$api/test-classes" "$work/test-classes"
cp -r "$api/jvmci" "$work/jvmci"
# The list names the .pom files of pom-type dependencies too; only jars belong on the class path.
classpath="$work/classes:$work/test-classes:$(tr ':' '\n' <"$work/classpath.txt" | grep -v '\.pom$' | paste -sd:)"

user="${EVALUATOR_ADMIN_USER:-Administrator}"
password="bench-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
authorization="Basic $(printf '%s:%s' "$user" "$password" | base64 -w0)"

# start MODE: starts a BenchServer on a free port; sets $port.
start() {
    local mode="$1" log="$work/$1.log" deadline
    mkdir -p "$work/data-$mode"
    : >"$log"
    # The same JVM flags as ./evaluator (scripts/jvm-defaults.sh): the Graal compiler jars give GraalJS its
    # optimizing JIT (see STACK.md), and the collector is ZGC unless BENCH_JAVA_OPTS names another.
    jvm_defaults_for "$work/jvmci" "${BENCH_JAVA_OPTS:-}"
    "$JAVA_HOME/bin/java" \
        "${jvm_defaults[@]}" ${BENCH_JAVA_OPTS:-} \
        -cp "$classpath" dev.evaluator.api.BenchServer "$mode" 0 "$work/data-$mode" "$password" \
        >"$log" 2>"$work/$mode.err" &
    pids+=("$!")
    deadline=$((SECONDS + 120))
    until grep -q '^ready ' "$log"; do
        if ! kill -0 "${pids[-1]}" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            cat "$work/$mode.err" >&2
            echo "auth-overhead: the $mode server did not start (its stderr is above)." >&2
            exit 1
        fi
        sleep 0.2
    done
    port="$(sed -n 's/^ready //p' "$log")"
}

# status URL [CURL ARGS...]: prints the HTTP status of a request.
status() {
    local url="$1"
    shift
    curl -sS -o /dev/null -w '%{http_code}' "$@" "$url"
}

# prepare PORT: creates library f2c and checks that the benchmarked request succeeds.
prepare() {
    local base="http://127.0.0.1:$1/evaluator/v1/libraries/f2c" code
    code="$(status "$base" -H "Authorization: $authorization" -X POST \
        --data-binary 'function f2c(f) { return (5/9)*(f-32); }')"
    [ "$code" = "200" ] || { echo "auth-overhead: creating library f2c gave HTTP $code" >&2; exit 1; }
    code="$(status "$base" -H "Authorization: $authorization")"
    [ "$code" = "200" ] || { echo "auth-overhead: GET f2c gave HTTP $code" >&2; exit 1; }
}

# load PORT SECONDS: runs wrk and prints its requests/s; fails if any response was not a success.
load() {
    local out
    out="$(wrk -t"$threads" -c"$connections" -d"$2s" -H "Authorization: $authorization" \
        "http://127.0.0.1:$1/evaluator/v1/libraries/f2c")"
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        echo "$out" >&2
        echo "auth-overhead: some requests failed (above): the figures would not measure the request." >&2
        exit 1
    fi
    awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}

start cached
cached_port="$port"
start no-verify
baseline_port="$port"
prepare "$cached_port"
prepare "$baseline_port"
# The cached server really checks passwords: a wrong one is refused (one failure is below the throttle's limit,
# and the next success resets it). The baseline really skips the check: a wrong one is accepted.
code="$(status "http://127.0.0.1:$cached_port/evaluator/v1/libraries/f2c" -u "$user:wrong-password")"
[ "$code" = "401" ] || { echo "auth-overhead: a wrong password gave HTTP $code on the cached server" >&2; exit 1; }
prepare "$cached_port"
code="$(status "http://127.0.0.1:$baseline_port/evaluator/v1/libraries/f2c" -u "$user:wrong-password")"
[ "$code" = "200" ] || { echo "auth-overhead: a wrong password gave HTTP $code on the no-verify server" >&2; exit 1; }

echo "auth-overhead: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$threads -c$connections," \
    "warm-up ${warmup} s each, $rounds rounds of ${duration} s, cached then no-verify in each round"
load "$cached_port" "$warmup" >/dev/null
load "$baseline_port" "$warmup" >/dev/null

printf '%-8s %14s %14s %8s\n' round cached no-verify ratio
: >"$work/cached.rps"
: >"$work/baseline.rps"
: >"$work/ratios"
for round in $(seq 1 "$rounds"); do
    a="$(load "$cached_port" "$duration")"
    b="$(load "$baseline_port" "$duration")"
    echo "$a" >>"$work/cached.rps"
    echo "$b" >>"$work/baseline.rps"
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", a / b }' >>"$work/ratios"
    printf '%-8s %14s %14s %8s\n' "$round" "$a" "$b" "$(tail -n 1 "$work/ratios")"
done
bench_summary cached no-verify "$work/cached.rps" "$work/baseline.rps"
