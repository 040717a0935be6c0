#!/usr/bin/env bash
# Memory of one import: a default server (./evaluator's JVM defaults, RocksDB in a temporary data dir) imports a
# document of N small libraries (about 200 bytes of code each, no functions) in one POST /evaluator/v1/import, and
# this prints the time it took, the resident set (before, peak during, after) and the peak Java heap (the largest
# heap in use at any garbage collection, from the GC log), then checks the libraries were all imported.
#
#   bench/import.sh                                  # 100,000 libraries, mode=flush
#   BENCH_LIBRARIES=20000 BENCH_HISTORY=3 bench/import.sh    # 20,000 libraries with 3 versions each
#
# Other settings: BENCH_MODE (flush), BENCH_PRELOAD=1 (import the document once before the measured import, so it
# replaces or flushes 100,000 existing libraries and numbers versions on above theirs), BENCH_JAVA_OPTS, BENCH_SKIP_BUILD=1 (the last build), BENCH_HISTOGRAM=1 (a
# live-object histogram, jcmd GC.class_histogram, every 3 s during the import; prints the top of the largest: where
# the memory goes; the full collections it forces change the figures, so measure without it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk25.sh
bench=import
. bench/common.sh

count="${BENCH_LIBRARIES:-100000}"
history="${BENCH_HISTORY:-0}"
mode="${BENCH_MODE:-flush}"

for tool in curl node mvn; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$bench: $tool is needed" >&2; exit 1; }
done
bench_workdir
bench_build
node bench/import-document.js "$count" "$history" >"$work/document.json"
BENCH_JAVA_OPTS="${BENCH_JAVA_OPTS:-} -Xlog:gc:file=$work/gc.log" bench_start_server

if [ "${BENCH_PRELOAD:-0}" = 1 ]; then
    curl -sS -o /dev/null -f -X POST -H "Authorization: $authorization" -H 'Content-Type: application/json' \
        --data-binary "@$work/document.json" "$base/evaluator/v1/import?mode=flush"
fi
kib() { awk -v f="$1" '$1 == f":" { print $2 }' "/proc/$server_pid/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
# The peak resident set (VmHWM) is reset, so it is the import's, not the start's.
echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true
before="$(kib VmRSS)"
start="$(date +%s.%N)"
if [ "${BENCH_HISTOGRAM:-0}" = 1 ]; then
    (
        n=0
        while sleep 3; do
            n=$((n + 1))
            jcmd "$server_pid" GC.class_histogram >"$work/histogram.$n" 2>/dev/null || break
        done
    ) &
    pids+=("$!")
fi
status="$(curl -sS -o "$work/answer.json" -w '%{http_code}' -X POST -H "Authorization: $authorization" \
    -H 'Content-Type: application/json' --data-binary "@$work/document.json" "$base/evaluator/v1/import?mode=$mode")"
end="$(date +%s.%N)"
peak="$(kib VmHWM)"
after="$(kib VmRSS)"
if [ "$status" != 200 ]; then
    cat "$work/answer.json" >&2
    echo "$bench: the import answered $status" >&2
    exit 1
fi
# The heap in use when each collection started: its largest is the peak (to the granularity of collections).
heap="$(sed -n 's/.*) \([0-9]*\)M([0-9]*%)->.*/\1/p' "$work/gc.log" | sort -n | tail -n 1)"
listed="$(curl -sS -H "Authorization: $authorization" "$libs" | node -e \
    'let s = ""; process.stdin.on("data", d => s += d).on("end", () => console.log(JSON.parse(s).length))')"
echo "document: $count libraries, $history history versions each$([ "${BENCH_PRELOAD:-0}" = 1 ] && echo ", into a server holding them already"), $(mib $(($(stat -c %s "$work/document.json") / 1024))) MiB; mode=$mode"
echo "answer: $(cat "$work/answer.json")"
printf 'import %.1f s; RSS before %s MiB, peak %s MiB, after %s MiB; peak heap %s MiB\n' \
    "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$(mib "$before")" "$(mib "$peak")" \
    "$(mib "$after")" "${heap:-?}"
echo "libraries listed after: $listed"
if [ "${BENCH_HISTOGRAM:-0}" = 1 ]; then
    largest="$(for f in "$work"/histogram.*; do echo "$(awk '$1 == "Total" { print $3 }' "$f") $f"; done \
        | sort -n | tail -n 1 | cut -d' ' -f2)"
    echo "largest live set during the import ($largest):"
    head -n 18 "$largest"
    awk '$1 == "Total"' "$largest"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(date -u +%Y-%m-%d)"
[ "$listed" = "$count" ] || { echo "FAIL: $listed libraries listed, $count imported" >&2; exit 1; }
