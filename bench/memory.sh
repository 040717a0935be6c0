#!/usr/bin/env bash
# Memory of a default server (./evaluator's JVM defaults) as libraries accumulate, and after calls: loads libraries
# of about 200 bytes into BENCH_NAMESPACES (1,000) namespaces in steps up to 10,000, 50,000 and 100,000 (the steps
# in BENCH_STEPS), then calls BENCH_CALLS (1,000) distinct libraries once each (each call loads its library into a
# context). After each step it prints the server's resident set (RSS), the heap used and committed, and metaspace,
# and again 15 s after the calls (ZGC returns heap unused for 30 s; the soft maximum is 256 MiB). The target of
# issue 15: RSS at most 512 MiB with 100,000 libraries. Exit 0 when it holds after the last step.
#
#   bench/memory.sh                                        # about 3 minutes on 2 cores
#   BENCH_STEPS="2000 10000" BENCH_CALLS=300 bench/memory.sh    # a quick look
#
# Other settings: BENCH_CLIENTS (16), BENCH_JAVA_OPTS, BENCH_SKIP_BUILD=1 (the last build).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh
bench=memory
. bench/common.sh

steps="${BENCH_STEPS:-10000 50000 100000}"
namespaces="${BENCH_NAMESPACES:-1000}"
clients="${BENCH_CLIENTS:-16}"
calls="${BENCH_CALLS:-1000}"
client=bench/scale-client.js

bench_need curl mvn node
bench_workdir
bench_build
bench_start_server
field() { node -e "console.log(JSON.parse(process.argv[1])[process.argv[2]])" "$1" "$2"; }
sum_metric() { # sum_metric SCRAPE NAME LABEL: the sum of NAME's series with LABEL, in MiB
    printf '%s\n' "$1" | awk -v name="$2{" -v label="$3" 'index($0, name) == 1 && index($0, label) {
        s += $NF } END { printf "%.0f", s / 1048576 }'
}
memory() { # memory LABEL: one line of figures
    local rss metrics
    rss="$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status")"
    metrics="$(curl -sS -H "Authorization: $authorization" "$base/metrics")"
    printf '%-34s RSS %5s MiB  heap used %4s / committed %4s MiB  metaspace %3s MiB  load %s\n' "$1" "$rss" \
        "$(sum_metric "$metrics" jvm_memory_used_bytes 'area="heap"')" \
        "$(sum_metric "$metrics" jvm_memory_committed_bytes 'area="heap"')" \
        "$(sum_metric "$metrics" jvm_memory_used_bytes 'id="Metaspace"')" "$(cut -d' ' -f1 /proc/loadavg)"
    rss_now="$rss"
}

memory "empty"
loaded=0
for step in $steps; do
    node "$client" "$base" "$authorization" load "$step" "$namespaces" "$clients" "$loaded" >/dev/null
    loaded="$step"
    # A list of everything, as the console's first visit would (it reads every library once).
    node "$client" "$base" "$authorization" get "/evaluator/v1/libraries?details=true&limit=500" 1 >/dev/null
    memory "$loaded libraries"
done
last_rss="$rss_now"
invoked="$(node "$client" "$base" "$authorization" invoke "$calls" "$namespaces" "$clients")"
memory "after calling $calls libraries"
echo "  calls (each the first of its library): p50 $(field "$invoked" p50) ms, p99 $(field "$invoked" p99) ms"
sleep 15
memory "15 s later"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
if awk -v r="$last_rss" 'BEGIN { exit !(r <= 512) }'; then
    echo "PASS: RSS $last_rss MiB <= 512 MiB with $loaded libraries"
    exit 0
fi
echo "FAIL: RSS $last_rss MiB > 512 MiB with $loaded libraries"
exit 1
