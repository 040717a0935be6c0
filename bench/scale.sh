#!/usr/bin/env bash
# Many libraries on a default server (./evaluator's JVM defaults): loads BENCH_LIBRARIES (100,000) libraries of
# about 200 bytes into BENCH_NAMESPACES (1,000) bucket/scope namespaces, then measures
#   the lists        one namespace (50 times), everything (5 times), everything with ?details=true (5 times)
#   the memory       the server's resident set, heap used and metaspace after loading and listing, and 15 s later
#   a restart        process start to /health/ready with the libraries in the store, the first login, and the first
#                    writes after it
# and prints the figures with the targets of issue 15. Exit 0 when every target holds.
#
#   bench/scale.sh                                  # 100,000 libraries
#   BENCH_LIBRARIES=20000 BENCH_NAMESPACES=100 bench/scale.sh      # a quick look
#
# Other settings: BENCH_CLIENTS (16 loading clients), BENCH_JAVA_OPTS, BENCH_SKIP_BUILD=1 (the last build).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh
bench=scale
. bench/common.sh

count="${BENCH_LIBRARIES:-100000}"
namespaces="${BENCH_NAMESPACES:-1000}"
clients="${BENCH_CLIENTS:-16}"
client=bench/scale-client.js

bench_need curl mvn node
bench_workdir
bench_build
bench_start_server
field() { node -e "console.log(JSON.parse(process.argv[1])[process.argv[2]])" "$1" "$2"; }
verdict=0
check() { # check WHAT VALUE LIMIT: VALUE <= LIMIT, or FAIL
    if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then
        printf '  %-44s %10s  (target <= %s) ok\n' "$1" "$2" "$3"
    else
        printf '  %-44s %10s  (target <= %s) FAIL\n' "$1" "$2" "$3"
        verdict=1
    fi
}
sum_metric() { # sum_metric SCRAPE LABEL: the sum of jvm_memory_used_bytes series with LABEL, in MiB
    printf '%s\n' "$1" | awk -v label="$2" 'index($0, "jvm_memory_used_bytes{") == 1 && index($0, label) {
        s += $NF } END { printf "%.0f", s / 1048576 }'
}
memory() { # memory LABEL: the server's RSS, heap used and metaspace in MiB
    local rss heap meta metrics
    rss="$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status")"
    metrics="$(curl -sS -H "Authorization: $authorization" "$base/metrics")"
    heap="$(sum_metric "$metrics" 'area="heap"')"
    meta="$(sum_metric "$metrics" 'id="Metaspace"')"
    echo "  $1: RSS $rss MiB, heap used $heap MiB, metaspace $meta MiB"
    rss_now="$rss"
}

echo "loading $count libraries into $namespaces namespaces with $clients clients"
loaded="$(node "$client" "$base" "$authorization" load "$count" "$namespaces" "$clients")"
echo "  $(field "$loaded" perSecond) writes/s ($(field "$loaded" seconds) s)"
scoped="$(node "$client" "$base" "$authorization" get "/evaluator/v1/libraries?bucket=b7&scope=s3" 50)"
full="$(node "$client" "$base" "$authorization" get "/evaluator/v1/libraries" 5)"
details="$(node "$client" "$base" "$authorization" get "/evaluator/v1/libraries?details=true" 5)"
echo "lists (p50 ms, size)"
check "one namespace p50 ms" "$(field "$scoped" p50)" 5
check "everything p50 ms ($(field "$full" bytes) bytes)" "$(field "$full" p50)" 1000
check "details=true / plain list" \
    "$(awk -v d="$(field "$details" p50)" -v p="$(field "$full" p50)" 'BEGIN { printf "%.2f", d / p }')" 2
echo "memory"
memory "after loading and listing"
sleep 15
memory "15 s later"
check "RSS MiB" "$rss_now" 512

echo "restart"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
started="$(date +%s.%N)"
bench_start_server
until curl -sf -o /dev/null "$base/health/ready"; do sleep 0.02; done
ready="$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')"
check "start to /health/ready s ($count libraries)" "$ready" 2
# The first request of a user after a start checks its password (PBKDF2, 600,000 iterations: slow on purpose);
# it is timed apart, so that the first write shows the write path alone.
login="$(curl -sS -o /dev/null -w '%{time_total}' -H "Authorization: $authorization" "$base/whoami")"
echo "  first login (password check) $(awk -v t="$login" 'BEGIN { printf "%.0f", t * 1000 }') ms"
first="$(node bench/writes-client.js "$base" "$authorization" sequential 1 200)"
check "first POST after start ms" "$(field "$first" p50)" 100
hundred="$(node bench/writes-client.js "$base" "$authorization" sequential 100 200)"
check "next 100 writes p99 ms" "$(field "$hundred" p99)" 20
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
[ "$verdict" = 0 ] && echo PASS || echo FAIL
exit "$verdict"
