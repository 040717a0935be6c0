#!/usr/bin/env bash
# Runaway calls of one namespace must not stall another's: a default server (one JavaScript worker per core), with
#   namespace A (tenant-a.s): spin() { while (true) {} } and bomb(), an allocation bomb, called by clients that
#                             give up after 2 s (the socket is closed) and at once call again;
#   namespace B (tenant-b.s): f2c(f), called at a steady rate (BENCH_RATE, 200/s) by bench/isolation-client.js,
#                             latency measured from each request's intended send time (no coordinated omission).
# Phases, one after the other in one run: B alone (idle); B while 2 x workers spin() callers run in A (loops);
# B while 20 bomb() and 20 spin() callers run in A (mixed). After each loaded phase, one last batch of A's callers
# disconnects and the script times how long until GET /evaluator/v1/calls lists none of A's calls.
# Targets (issue 12): B's p99 at most 5x its idle p99, no B call failed, A's calls gone within 1 s of the
# disconnect. The figures are always printed; BENCH_STRICT=1 makes a missed target exit 1.
#
#   bench/isolation.sh                                        # 30 s per phase
#   BENCH_SKIP_BUILD=1 BENCH_DURATION=10 bench/isolation.sh   # a quicker look
#
# Other settings: BENCH_RATE (B's requests/s, 200), BENCH_WARMUP (seconds of B before measuring, 20),
# BENCH_JAVA_OPTS (more JVM options; -XX:+UseG1GC compares the collectors), BENCH_SKIP_BUILD=1, BENCH_STRICT=1.
# The server runs with ./evaluator's JVM defaults (scripts/jvm-defaults.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh
bench=isolation
. bench/common.sh

duration="${BENCH_DURATION:-30}"
rate="${BENCH_RATE:-200}"
warmup="${BENCH_WARMUP:-20}"
workers="$(nproc)"

bench_need curl mvn node
bench_workdir
bench_build

bench_start_server

# post_library NAME QUERY CODE
post_library() {
    local code
    code="$(curl -sS -o "$work/answer" -w '%{http_code}' -H "Authorization: $authorization" -X POST \
        --data-binary "$3" "$libs/$1?$2")"
    [ "$code" = "200" ] || { cat "$work/answer" >&2; echo "isolation: creating $1 gave HTTP $code" >&2; exit 1; }
}
post_library runaway 'bucket=tenant-a&scope=s' 'function spin() { while (true) {} }
function bomb() { var keep = []; for (;;) { keep.push(new Array(65536).fill(7)); } }'
post_library science 'bucket=tenant-b&scope=s' 'function f2c(f) { return (5/9)*(f-32); }'

b_url="$libs/science/functions/f2c/invoke?bucket=tenant-b&scope=s"
spin_url="$libs/runaway/functions/spin/invoke?bucket=tenant-a&scope=s"
bomb_url="$libs/runaway/functions/bomb/invoke?bucket=tenant-a&scope=s"
answer="$(curl -sS -H "Authorization: $authorization" -H 'Content-Type: application/json' -d '{"args":[212]}' "$b_url")"
case "$answer" in
    '{"result":100'*) ;;
    *) echo "isolation: f2c(212) answered $answer" >&2; exit 1 ;;
esac
client=bench/isolation-client.js

# b_load SECONDS: B's paced calls; prints the client's JSON line.
b_load() {
    node "$client" paced "$b_url" "$authorization" '{"args":[212]}' "$rate" "$1"
}
# a_count: how many of namespace A's calls the server lists (running or queued).
a_count() {
    curl -sS -H "Authorization: $authorization" "$base/evaluator/v1/calls" \
        | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filter(c=>c.bucket==="tenant-a").length))'
}
# gone_after URL... : one batch of callers per URL (CONCURRENCY from the URL's pair) that disconnect after 2 s and
# do not call again; prints the milliseconds from their disconnect until A has no call listed.
gone_after() {
    local started now
    started="$(date +%s%3N)"
    while [ "$#" -gt 0 ]; do
        node "$client" runaway "$1" "$authorization" '{}' "$2" 2000 0.5 >/dev/null &
        pids+=("$!")
        shift 2
    done
    sleep 1.5
    [ "$(a_count)" -gt 0 ] || { echo "isolation: A's callers did not start" >&2; exit 1; }
    while [ "$(a_count)" -gt 0 ]; do
        now="$(date +%s%3N)"
        if [ $((now - started)) -gt 60000 ]; then
            echo "isolation: A's calls were still listed 58 s after their clients left" >&2
            exit 1
        fi
        sleep 0.05
    done
    now="$(date +%s%3N)"
    echo $((now - started - 2000))
}
field() {
    node -e 'const o=JSON.parse(process.argv[1]); console.log(o[process.argv[2]] ?? "")' "$1" "$2"
}

echo "isolation: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); B at $rate calls/s," \
    "${duration} s per phase, after ${warmup} s of warm-up"
b_load "$warmup" >/dev/null

idle="$(b_load "$duration")"

node "$client" runaway "$spin_url" "$authorization" '{}' $((2 * workers)) 2000 $((duration + 2)) >"$work/a-loops" &
pids+=("$!")
sleep 2
loops="$(b_load "$duration")"
wait "${pids[-1]}"
loops_gone="$(gone_after "$spin_url" $((2 * workers)))"

node "$client" runaway "$bomb_url" "$authorization" '{}' 20 2000 $((duration + 2)) >"$work/a-bombs" &
pids+=("$!")
node "$client" runaway "$spin_url" "$authorization" '{}' 20 2000 $((duration + 2)) >"$work/a-spins" &
pids+=("$!")
sleep 2
mixed="$(b_load "$duration")"
wait "${pids[-1]}" "${pids[-2]}"
mixed_gone="$(gone_after "$bomb_url" 20 "$spin_url" 20)"

kill -0 "$server_pid" 2>/dev/null || { echo "isolation: the server died" >&2; exit 1; }
idle_p99="$(field "$idle" p99)"
verdict=PASS
printf '%-32s %8s %7s %9s %9s %9s %12s %14s\n' phase "B sent" "B fail" "B p50 ms" "B p99 ms" "B max ms" \
    "p99/idle" "A gone ms"
row() {
    local name="$1" json="$2" gone="$3" ratio
    ratio="$(awk -v a="$(field "$json" p99)" -v b="$idle_p99" 'BEGIN { printf "%.2f", a / b }')"
    printf '%-32s %8s %7s %9s %9s %9s %12s %14s\n' "$name" "$(field "$json" sent)" "$(field "$json" failed)" \
        "$(field "$json" p50)" "$(field "$json" p99)" "$(field "$json" max)" "$ratio" "$gone"
    if [ "$gone" != "-" ] && { [ "$(field "$json" failed)" != "0" ] \
            || ! awk -v r="$ratio" 'BEGIN { exit !(r <= 5) }' || [ "$gone" -gt 1000 ]; }; then
        verdict=FAIL
    fi
}
row "idle" "$idle" -
row "A: $((2 * workers)) spin" "$loops" "$loops_gone"
row "A: 20 bomb + 20 spin" "$mixed" "$mixed_gone"
statuses() {
    node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).statuses))' "$1"
}
echo "B statuses: idle $(statuses "$idle"), loops $(statuses "$loops"), mixed $(statuses "$mixed")"
echo "A callers: loops $(cat "$work/a-loops"), bombs $(cat "$work/a-bombs"), spins $(cat "$work/a-spins")"
echo "server RSS after: $(awk '/VmRSS/ { print $2 / 1024 " MiB" }' "/proc/$server_pid/status"); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -sS -H "Authorization: $authorization" "$base/metrics" | grep -E '^evaluator_js_(cancellations_total|workers |memory_limit)' || true
echo "$verdict: targets B p99 <= 5x idle, no B call failed, A gone <= 1000 ms"
if [ "$verdict" = FAIL ] && [ "${BENCH_STRICT:-0}" = "1" ]; then
    exit 1
fi
