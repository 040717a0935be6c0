#!/usr/bin/env bash
# Calling a function through the evaluator's invoke endpoint against the peer a user would write instead: a minimal
# Node.js http server that evaluates the same library once and calls the same function (bench/node-udf-server.js).
# Both answer an authenticated POST {"args":[212]} with {"result":100}:
#   evaluator  POST /evaluator/v1/libraries/science/functions/f2c/invoke   (evaluator-api/target/evaluator.jar,
#              started with the JVM flags of ./evaluator, its store in a temporary directory)
#   node       POST /invoke/f2c   (Basic header string compare, JSON.parse, the call, JSON.stringify)
# The library is science: function f2c(f) { return (5/9)*(f-32); }
# wrk loads each server in turn (warm-up, then rounds A,B,A,B,...); the result is the ratio of the median
# requests/s, evaluator/node, with PASS when it is at least BENCH_THRESHOLD (1.0). The figure is always reported:
# exit code 0 on PASS or FAIL, unless BENCH_STRICT=1, which makes FAIL exit 1. Errors exit 1.
# The warm-up is long because the evaluator needs it: on 2 cores under wrk, f2c through invoke ran at about 2,000
# requests/s in its first 20 s and levelled off only after 40 to 60 s (GraalJS compiles the function, and the Graal
# and C2 compilers the request path, on the same cores that serve). Shorter warm-ups measure the compilers.
#
#   bench/invoke-vs-node.sh                                     # defaults: 60 s warm-up each, 5 rounds of 10 s
#   BENCH_SKIP_BUILD=1 BENCH_DURATION=5 BENCH_ROUNDS=2 bench/invoke-vs-node.sh   # a quicker look
#
# Other settings: BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_JAVA_OPTS (extra JVM options for the evaluator),
# BENCH_NODE_OPTS (extra options for node), BENCH_SKIP_BUILD=1 (use the last build), BENCH_BUILD_ATTEMPTS (3; a
# build can collide with a concurrent one), BENCH_THRESHOLD (1.0), BENCH_STRICT=1.
# Besides requests/s, each round shows the CPU cores each server used (its process's CPU time over the round's wall
# time): Node serves on one thread, the evaluator on as many as the machine gives it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh
bench=invoke-vs-node
. bench/common.sh

warmup="${BENCH_WARMUP:-60}"
duration="${BENCH_DURATION:-10}"
rounds="${BENCH_ROUNDS:-5}"
threads="${BENCH_THREADS:-2}"
connections="${BENCH_CONNECTIONS:-32}"
threshold="${BENCH_THRESHOLD:-1.0}"

bench_need curl mvn node
bench_workdir
bench_build

# Run from a copy of the build, so a concurrent build or clean cannot change the jars under the running server.
api=evaluator-api/target
for part in evaluator.jar libs jvmci; do
    if [ ! -e "$api/$part" ]; then
        echo "invoke-vs-node: $api/$part is missing; build first (mvn -B -DskipTests install)." >&2
        exit 1
    fi
done
mkdir "$work/app"
cp -r "$api/evaluator.jar" "$api/libs" "$api/jvmci" "$work/app/"

library='function f2c(f) { return (5/9)*(f-32); }'
printf '%s\n' "$library" >"$work/science.js"
body='{"args":[212]}'
user="${EVALUATOR_ADMIN_USER:-Administrator}"
password="bench-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
authorization="Basic $(printf '%s:%s' "$user" "$password" | base64 -w0)"

# wait_for NAME LOG PATTERN: waits until the last started server's LOG has a line matching the sed PATTERN (which
# captures the port) and sets $port to it.
wait_for() {
    local name="$1" log="$2" pattern="$3" deadline
    deadline=$((SECONDS + 120))
    port=""
    until port="$(sed -n "$pattern" "$log" | head -n 1)" && [ -n "$port" ]; do
        if ! kill -0 "${pids[-1]}" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            cat "$work/$name.err" >&2
            echo "invoke-vs-node: the $name server did not start (its stderr is above)." >&2
            exit 1
        fi
        sleep 0.2
    done
}

# The same JVM flags as ./evaluator (scripts/jvm-defaults.sh): the Graal compiler jars give GraalJS its optimizing
# JIT (see STACK.md), and the collector is ZGC unless BENCH_JAVA_OPTS names another.
# No access log: the Node.js peer logs nothing either (BENCH_ACCESS_LOG=true measures the evaluator with it).
. scripts/jvm-defaults.sh
jvm_defaults_for "$work/app/jvmci" "${BENCH_JAVA_OPTS:-}"
EVALUATOR_ACCESS_LOG="${BENCH_ACCESS_LOG:-false}" EVALUATOR_ADMIN_USER="$user" EVALUATOR_ADMIN_PASSWORD="$password" "$JAVA_HOME/bin/java" \
    "${jvm_defaults[@]}" ${BENCH_JAVA_OPTS:-} \
    -jar "$work/app/evaluator.jar" --host 127.0.0.1 --port 0 --data-dir "$work/data" \
    >"$work/evaluator.log" 2>"$work/evaluator.err" &
pids+=("$!")
evaluator_pid="$!"
wait_for evaluator "$work/evaluator.log" 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p'
evaluator_port="$port"
if ! grep -q 'JavaScript JIT active' "$work/evaluator.log"; then
    cat "$work/evaluator.log" "$work/evaluator.err" >&2
    echo "invoke-vs-node: the evaluator runs without the JavaScript JIT; the figures would not be its own." >&2
    exit 1
fi

node ${BENCH_NODE_OPTS:-} bench/node-udf-server.js "$work/science.js" 0 "$authorization" \
    >"$work/node.log" 2>"$work/node.err" &
pids+=("$!")
node_pid="$!"
wait_for node "$work/node.log" 's/^ready \([0-9]*\)$/\1/p'
node_port="$port"

evaluator_url="http://127.0.0.1:$evaluator_port/evaluator/v1/libraries/science/functions/f2c/invoke"
node_url="http://127.0.0.1:$node_port/invoke/f2c"

code="$(curl -sS -o "$work/created.json" -w '%{http_code}' -H "Authorization: $authorization" -X POST \
    --data-binary "$library" "http://127.0.0.1:$evaluator_port/evaluator/v1/libraries/science")"
[ "$code" = "200" ] || { cat "$work/created.json" >&2; echo "invoke-vs-node: creating science gave HTTP $code" >&2; exit 1; }

# check NAME URL: the benchmarked request answers 200 with {"result":100} (100.0 from the evaluator).
check() {
    local answer code
    code="$(curl -sS -o "$work/answer.json" -w '%{http_code}' -H "Authorization: $authorization" \
        -H 'Content-Type: application/json' -X POST --data-binary "$body" "$2")"
    answer="$(cat "$work/answer.json")"
    if [ "$code" != "200" ] || ! node -e 'process.exit(JSON.parse(process.argv[1]).result === 100 ? 0 : 1)' \
            "$answer" 2>/dev/null; then
        echo "invoke-vs-node: $1 answered f2c(212) with HTTP $code $answer, not {\"result\":100}" >&2
        exit 1
    fi
    echo "invoke-vs-node: $1 f2c(212) -> $answer"
}
check evaluator "$evaluator_url"
check node "$node_url"
# Both really check the credentials.
for url in "$evaluator_url" "$node_url"; do
    code="$(curl -sS -o /dev/null -w '%{http_code}' -u "$user:wrong-password" -X POST --data-binary "$body" "$url")"
    [ "$code" = "401" ] || { echo "invoke-vs-node: a wrong password gave HTTP $code at $url" >&2; exit 1; }
done
check evaluator "$evaluator_url"

cat >"$work/invoke.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "$authorization"
EOF

# cpu_ticks PID: the process's user + system CPU time so far, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
ticks_per_second="$(getconf CLK_TCK)"

# load URL SECONDS PID: runs wrk and prints its requests/s and the CPU cores the server used meanwhile; fails if any
# response was not a success.
load() {
    local out before after started ended
    before="$(cpu_ticks "$3")"
    started="$(date +%s%N)"
    out="$(wrk -t"$threads" -c"$connections" -d"$2s" -s "$work/invoke.lua" "$1")"
    ended="$(date +%s%N)"
    after="$(cpu_ticks "$3")"
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        echo "$out" >&2
        echo "invoke-vs-node: some requests failed (above): the figures would not measure the call." >&2
        exit 1
    fi
    awk -v t="$ticks_per_second" -v c=$((after - before)) -v ns=$((ended - started)) \
        '/^Requests\/sec:/ { printf "%s %.2f\n", $2, c / t / (ns / 1e9) }' <<<"$out"
}

echo "invoke-vs-node: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version);" \
    "wrk -t$threads -c$connections, warm-up ${warmup} s each, $rounds rounds of ${duration} s, evaluator then node" \
    "in each round"
# warm_up NAME URL PID: loads a server for $warmup seconds in slices of at most 10 s and prints each slice's
# requests/s: GraalJS compiles f2c and the JVM the request path as they run, and the slices show when it levels off.
warm_up() {
    local left="$warmup" slice measured figures=""
    while [ "$left" -gt 0 ]; do
        slice=$(( left < 10 ? left : 10 ))
        measured="$(load "$2" "$slice" "$3")"
        figures="$figures ${measured%% *}"
        left=$((left - slice))
    done
    echo "warm-up $1 requests/s by slice:$figures"
}
warm_up evaluator "$evaluator_url" "$evaluator_pid"
warm_up node "$node_url" "$node_pid"

printf '%-8s %14s %14s %8s %10s %10s\n' round evaluator node ratio eval-cores node-cores
: >"$work/evaluator.rps"
: >"$work/node.rps"
: >"$work/ratios"
for round in $(seq 1 "$rounds"); do
    # Assigned first, so a failed load stops the script (set -e sees the status of an assignment).
    measured_a="$(load "$evaluator_url" "$duration" "$evaluator_pid")"
    measured_b="$(load "$node_url" "$duration" "$node_pid")"
    read -r a a_cores <<<"$measured_a"
    read -r b b_cores <<<"$measured_b"
    echo "$a" >>"$work/evaluator.rps"
    echo "$b" >>"$work/node.rps"
    awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", a / b }' >>"$work/ratios"
    printf '%-8s %14s %14s %8s %10s %10s\n' "$round" "$a" "$b" "$(tail -n 1 "$work/ratios")" "$a_cores" "$b_cores"
done
if ! bench_summary evaluator node "$work/evaluator.rps" "$work/node.rps" && [ "${BENCH_STRICT:-0}" = "1" ]; then
    exit 1
fi
