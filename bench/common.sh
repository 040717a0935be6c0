# Shared by the benchmark scripts; source it after setting $bench to the script's name (used in messages).
# Provides: bench_need TOOL... (installs wrk when missing and root; fails naming any other missing tool),
# bench_workdir (a temporary $work, the $pids array and a trap that stops them and removes $work) and
# bench_build (mvn install without tests, unless BENCH_SKIP_BUILD=1; BENCH_BUILD_ATTEMPTS tries, 3 by default,
# as a build can collide with a concurrent one), median (of numbers on stdin) and bench_summary (the medians, their
# ratio, the spread of the per-round ratios and the verdict), and bench_start_server [FLAGS...] (a copy of the last
# build started with ./evaluator's JVM defaults on a free port and $work/data; sets $base, $libs, $authorization,
# $server_pid).

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

median() {
    sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_summary A B A_FILE B_FILE: prints the median requests/s of A and B (one figure per line in each file), the
# ratio A/B, the per-round ratios from $work/ratios, the load average, and PASS or FAIL against $threshold. Sets
# $ratio; returns 1 on FAIL.
bench_summary() {
    local a b
    a="$(median <"$3")"
    b="$(median <"$4")"
    ratio="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')"
    printf '%-8s %14.2f %14.2f %8s\n' median "$a" "$b" "$ratio"
    # Rounds are side by side in time, so their ratios show how much of the spread is the machine.
    echo "per-round ratios: median $(median <"$work/ratios"), range $(sort -g "$work/ratios" | sed -n '1p;$p' \
        | paste -sd' ' | sed 's/ / to /')"
    echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    if awk -v r="$ratio" -v t="$threshold" 'BEGIN { exit !(r >= t) }'; then
        echo "PASS: $1/$2 median ratio $ratio >= $threshold"
        return 0
    fi
    echo "FAIL: $1/$2 median ratio $ratio < $threshold"
    return 1
}

# bench_start_server [FLAGS...]: starts the built server (copied to $work/app, so a concurrent build cannot change
# it) with ./evaluator's JVM defaults, an admin with a random password, no access log, on a free loopback port and
# the data dir $work/data, plus FLAGS; waits until it listens. Sets $base, $libs, $authorization, $server_pid. Called
# again (after the server was stopped), it restarts the same copy on the same data dir with the same password.
# With $bench_node set (a suffix), several servers run side by side: data dir $work/data$bench_node, logs
# $work/evaluator$bench_node.log and .err.
bench_start_server() {
    local api=evaluator-api/target user=Administrator deadline port=""
    # A second start (a restart on the same data dir) keeps the copy and the admin's password.
    if [ ! -f "$work/app/evaluator.jar" ]; then
        mkdir -p "$work/app"
        cp -r "$api/evaluator.jar" "$api/libs" "$api/jvmci" "$work/app/"
        bench_password="bench-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    fi
    authorization="Basic $(printf '%s:%s' "$user" "$bench_password" | base64 -w0)"
    . scripts/jvm-defaults.sh
    jvm_defaults_for "$work/app/jvmci" "${BENCH_JAVA_OPTS:-}"
    EVALUATOR_ACCESS_LOG=false EVALUATOR_ADMIN_USER="$user" EVALUATOR_ADMIN_PASSWORD="$bench_password" \
        "$JAVA_HOME/bin/java" "${jvm_defaults[@]}" ${BENCH_JAVA_OPTS:-} \
        -jar "$work/app/evaluator.jar" --host 127.0.0.1 --port 0 --data-dir "$work/data${bench_node:-}" "$@" \
        >"$work/evaluator${bench_node:-}.log" 2>"$work/evaluator${bench_node:-}.err" &
    pids+=("$!")
    server_pid="$!"
    deadline=$((SECONDS + 120))
    until port="$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' \
            "$work/evaluator${bench_node:-}.log" | head -n 1)" && [ -n "$port" ]; do
        if ! kill -0 "$server_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
            cat "$work/evaluator${bench_node:-}.err" >&2
            echo "$bench: the server did not start (its stderr is above)." >&2
            exit 1
        fi
        sleep 0.2
    done
    base="http://127.0.0.1:$port"
    libs="$base/evaluator/v1/libraries"
}
