#!/usr/bin/env bash
# Write latency and throughput of a default server (./evaluator's JVM defaults, RocksDB in a temporary data dir),
# side by side with the disk's own fdatasync floor measured in the same directory, in rounds:
#   fdatasync   4 KiB appends, each followed by fdatasync (the floor a durable write cannot go under)
#   sequential  one client POSTing a ~10 KB library (120 small functions) on one connection, one after another
#   concurrent  16 clients, each POSTing its own small library in a loop (distinct libraries)
# Prints each round and the medians; PASS when the sequential p50 is at most 1 ms above the fdatasync p50, its p99
# at most 5 ms, and the concurrent rate at least 3,000 writes/s (medians over the rounds). Exit 0 on PASS.
#
#   bench/writes.sh                                     # 3 rounds: 500 sequential POSTs, 10 s of 16 clients
#   BENCH_ROUNDS=1 BENCH_SEQUENTIAL=200 BENCH_SECONDS=5 bench/writes.sh      # a quick look
#
# Other settings: BENCH_CLIENTS (16), BENCH_BYTES (10240), BENCH_JAVA_OPTS, BENCH_SKIP_BUILD=1 (the last build).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh
bench=writes
. bench/common.sh

rounds="${BENCH_ROUNDS:-3}"
sequential="${BENCH_SEQUENTIAL:-500}"
seconds="${BENCH_SECONDS:-10}"
clients="${BENCH_CLIENTS:-16}"
bytes="${BENCH_BYTES:-10240}"

bench_need curl mvn node
bench_workdir
bench_build
bench_start_server
client=bench/writes-client.js

# Warm-up: the JIT and the store's first files, not measured.
node "$client" "$base" "$authorization" sequential 200 "$bytes" >/dev/null
node "$client" "$base" "$authorization" concurrent "$clients" 5 >/dev/null

printf '%-6s %-34s %-34s %s\n' round "fdatasync p50/p99 ms" "sequential p50/p99 ms" "concurrent writes/s p50/p99 ms"
for round in $(seq 1 "$rounds"); do
    floor="$(node "$client" - - fdatasync "$work/data" 500)"
    seq="$(node "$client" "$base" "$authorization" sequential "$sequential" "$bytes")"
    con="$(node "$client" "$base" "$authorization" concurrent "$clients" "$seconds")"
    field() { node -e "console.log(JSON.parse(process.argv[1])[process.argv[2]])" "$1" "$2"; }
    echo "$(field "$floor" p50) $(field "$floor" p99) $(field "$seq" p50) $(field "$seq" p99) $(field "$con" perSecond) \
$(field "$con" p50) $(field "$con" p99)" >>"$work/rounds"
    read -r fp50 fp99 sp50 sp99 rate cp50 cp99 < <(tail -n 1 "$work/rounds")
    printf '%-6s %-34s %-34s %s\n' "$round" "$fp50 / $fp99" "$sp50 / $sp99" "$rate ($cp50 / $cp99)"
done

col() { awk -v c="$1" '{ print $c }' "$work/rounds" | median; }
fp50="$(col 1)"; sp50="$(col 3)"; sp99="$(col 4)"; rate="$(col 5)"
printf '%-6s %-34s %-34s %s\n' median "$fp50 / $(col 2)" "$sp50 / $sp99" "$rate ($(col 6) / $(col 7))"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
verdict=0
awk -v s="$sp50" -v f="$fp50" 'BEGIN { exit !(s <= f + 1) }' \
    || { echo "FAIL: sequential p50 $sp50 ms is more than 1 ms above fdatasync's $fp50 ms"; verdict=1; }
awk -v s="$sp99" 'BEGIN { exit !(s <= 5) }' || { echo "FAIL: sequential p99 $sp99 ms > 5 ms"; verdict=1; }
awk -v r="$rate" 'BEGIN { exit !(r >= 3000) }' || { echo "FAIL: $rate concurrent writes/s < 3000"; verdict=1; }
[ "$verdict" = 0 ] && echo "PASS"
exit "$verdict"
