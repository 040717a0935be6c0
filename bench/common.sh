# Shared by the benchmark scripts; source it after setting $bench to the script's name (used in messages).
# Provides: bench_need TOOL... (installs wrk when missing and root; fails naming any other missing tool),
# bench_workdir (a temporary $work, the $pids array and a trap that stops them and removes $work) and
# bench_build (mvn install without tests, unless BENCH_SKIP_BUILD=1; BENCH_BUILD_ATTEMPTS tries, 3 by default,
# as a build can collide with a concurrent one).

bench_need() {
    local tool
    if ! command -v wrk >/dev/null 2>&1; then
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
            echo "$bench: installing wrk" >&2
            apt-get install -y wrk >&2 || { apt-get update >&2 && apt-get install -y wrk >&2; }
        else
            echo "$bench: the load generator wrk is missing; install it (as root: apt-get install -y wrk)." >&2
            exit 1
        fi
    fi
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "$bench: $tool is needed; install it (apt-get install -y $tool, Maven's package is maven," \
                "Node's nodejs)." >&2
            exit 1
        fi
    done
}

bench_workdir() {
    work="$(mktemp -d "${TMPDIR:-/tmp}/$bench.XXXXXX")"
    pids=()
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}

bench_build() {
    local attempts="${BENCH_BUILD_ATTEMPTS:-3}" attempt
    # Maven runs on the JDK 25 found by scripts/jdk25.sh; this flag quiets its own libraries' Unsafe warnings there.
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    if [ "${BENCH_SKIP_BUILD:-0}" = "1" ]; then
        return
    fi
    for attempt in $(seq 1 "$attempts"); do
        if mvn -B -q -Dstyle.color=never -DskipTests install >"$work/build.log" 2>&1; then
            return
        fi
        if [ "$attempt" = "$attempts" ]; then
            cat "$work/build.log" >&2
            echo "$bench: the build failed $attempts times (log above)." >&2
            exit 1
        fi
        grep -m 3 'ERROR' "$work/build.log" >&2 || tail -n 3 "$work/build.log" >&2
        echo "$bench: build attempt $attempt failed (maybe a concurrent build); retrying in 30 s" >&2
        sleep 30
    done
}
