#!/usr/bin/env bash
# Checks a running docker/compose.cluster.yaml against what the README promises, from the repository root:
#   docker compose -f docker/compose.cluster.yaml up -d --build && docker/cluster-smoke.sh
# Waits until both nodes and the proxy are ready; writes a library through the proxy (127.0.0.1:8093) and reads and
# invokes it through the proxy and on each node directly (inside its container, over bash's /dev/tcp: the image has
# no curl); stops evaluator-1 and checks that the proxy answers every request, promptly; stops etcd-3 and checks
# that writes go on; starts both again and waits for Docker's health checks to say healthy. It stops and starts
# services of the cluster: run it on a test cluster. Needs curl on the host. Exits non-zero on the first failure.
# COMPOSE overrides the compose command (e.g. COMPOSE="docker-compose -p evaluator-cluster -f ..."); the password
# is EVALUATOR_ADMIN_PASSWORD, else the one in docker/evaluator.env; PROXY is the proxy's URL.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a compose <<<"${COMPOSE:-docker compose -f docker/compose.cluster.yaml}"
proxy="${PROXY:-http://127.0.0.1:8093}"
user="${EVALUATOR_ADMIN_USER:-Administrator}"
pw="${EVALUATOR_ADMIN_PASSWORD:-$(sed -n 's/^EVALUATOR_ADMIN_PASSWORD=//p' docker/evaluator.env 2>/dev/null | tail -1)}"
[ -n "$pw" ] || { echo "cluster-smoke: set EVALUATOR_ADMIN_PASSWORD or docker/evaluator.env" >&2; exit 2; }
lib="smoke_$(date +%s)"
start=$SECONDS

say() { printf '[%4ds] %s\n' $((SECONDS - start)) "$*"; }
fail() { say "FAIL: $*" >&2; exit 1; }

# An HTTP request to the node's own 127.0.0.1:8093 from inside its container; prints the status line and the body
# (read to its length, or to its last chunk: the server keeps the connection open after its answer).
node_script='
export LC_ALL=C
cr=$(printf "\r")
exec 3<>/dev/tcp/127.0.0.1/"${EVALUATOR_PORT:-8093}"
printf "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" \
    "$1" "$2" "$3" "${#4}" "$4" >&3
IFS= read -r line <&3; printf "%s\n" "${line%"$cr"}"
length=0 chunked=0
while IFS= read -r line <&3 && line="${line%"$cr"}" && [ -n "$line" ]; do
    case "${line,,}" in content-length:*) length="${line#*: }" ;; transfer-encoding:*chunked*) chunked=1 ;; esac
done
if [ "$chunked" = 1 ]; then
    while IFS= read -r line <&3 && size=$((16#${line%"$cr"})) && [ "$size" -gt 0 ]; do
        IFS= read -r -N "$size" data <&3; printf "%s" "$data"; IFS= read -r line <&3
    done
elif [ "$length" -gt 0 ]; then
    IFS= read -r -N "$length" data <&3; printf "%s" "$data"
fi
echo'
node_http() {
    local service="$1" method="$2" path="$3" body="${4:-}"
    "${compose[@]}" exec -T "$service" timeout 10 bash -c "$node_script" _ "$method" "$path" \
        "$(printf '%s:%s' "$user" "$pw" | base64 -w0)" "$body"
}
# A request through the proxy; prints "<status> <seconds> <body>".
proxy_http() {
    local method="$1" path="$2" body="${3:-}" out
    out=$(curl -s -m 30 -u "$user:$pw" -X "$method" -H 'content-type: application/json' ${body:+--data-binary "$body"} \
        -w '\n%{http_code} %{time_total}' "$proxy$path") || true
    printf '%s %s\n' "${out##*$'\n'}" "${out%$'\n'*}"
}
node_ready() { "${compose[@]}" exec -T "$1" /app/docker/healthcheck.sh >/dev/null 2>&1; }
wait_ready() {   # every node given ready and the proxy answering 200, within 120 s
    local deadline=$((SECONDS + 120)) node ok
    while :; do
        ok=1
        for node in "$@"; do node_ready "$node" || ok=0; done
        [ "$ok" = 1 ] && [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$proxy/health/ready")" = 200 ] && return 0
        [ $SECONDS -lt $deadline ] || fail "not ready within 120 s: $*"
        sleep 1
    done
}
wait_healthy() {   # Docker's HEALTHCHECK status of each service, within 60 s (the check runs every 10 s)
    local deadline=$((SECONDS + 60)) service id status
    for service in "$@"; do
        id=$("${compose[@]}" ps -q "$service")
        while status=$(docker inspect -f '{{.State.Health.Status}}' "$id"); [ "$status" != healthy ]; do
            [ $SECONDS -lt $deadline ] || fail "$service is $status, not healthy"
            sleep 1
        done
        say "$service: healthy"
    done
}
expect() {   # expect <what> <pattern> <text>
    [[ "$3" == *"$2"* ]] || fail "$1: expected $2 in: $3"
    say "ok: $1"
}

wait_ready evaluator-1 evaluator-2
say "both nodes and the proxy ready"

expect "write through the proxy" '200 ' "$(proxy_http POST "/evaluator/v1/libraries/$lib" 'function add(a, b) { return a + b; }')"
expect "read back through the proxy" 'return a + b' "$(proxy_http GET "/evaluator/v1/libraries/$lib")"
expect "invoke through the proxy" '"result":5' "$(proxy_http POST "/evaluator/v1/libraries/$lib/functions/add/invoke" '{"args":[2,3]}')"
for node in evaluator-1 evaluator-2; do
    expect "read on $node" 'return a + b' "$(node_http "$node" GET "/evaluator/v1/libraries/$lib")"
    expect "invoke on $node" '"result":7' "$(node_http "$node" POST "/evaluator/v1/libraries/$lib/functions/add/invoke" '{"args":[3,4]}')"
done
seen=""
for _ in $(seq 1 10); do seen+=" $(proxy_http GET /evaluator/v1/stats | grep -o '"node":"[^"]*"' || true)"; done
expect "the proxy spreads requests (evaluator-1)" '"node":"evaluator-1:8093"' "$seen"
expect "the proxy spreads requests (evaluator-2)" '"node":"evaluator-2:8093"' "$seen"

"${compose[@]}" stop evaluator-1
say "evaluator-1 stopped"
slowest=0
for i in $(seq 1 20); do
    read -r status secs _ < <(proxy_http POST "/evaluator/v1/libraries/$lib/functions/add/invoke" "{\"args\":[$i,1]}")
    [ "$status" = 200 ] || fail "request $i through the proxy with evaluator-1 stopped: $status"
    slowest=$(awk -v a="$slowest" -v b="$secs" 'BEGIN { print (b > a ? b : a) }')
    sleep 0.3
done
say "ok: 20 invokes through the proxy with evaluator-1 stopped, slowest ${slowest}s"
awk -v s="$slowest" 'BEGIN { exit !(s < 3) }' || fail "a request waited ${slowest}s for the stopped node"
expect "write through the proxy with evaluator-1 stopped" '200 ' \
    "$(proxy_http POST "/evaluator/v1/libraries/$lib" 'function add(a, b) { return a + b + 0; }')"
"${compose[@]}" start evaluator-1
wait_ready evaluator-1 evaluator-2
say "evaluator-1 back and ready"
expect "evaluator-1 serves the write made while it was down" 'a + b + 0' "$(node_http evaluator-1 GET "/evaluator/v1/libraries/$lib")"

"${compose[@]}" stop etcd-3
say "etcd-3 stopped"
for i in $(seq 1 10); do
    read -r status secs _ < <(proxy_http POST "/evaluator/v1/libraries/$lib" "function add(a, b) { return a + b + $i; }")
    [ "$status" = 200 ] || fail "write $i with etcd-3 stopped: $status"
done
say "ok: 10 writes through the proxy with etcd-3 stopped"
for node in evaluator-1 evaluator-2; do
    node_ready "$node" || fail "$node not ready with etcd-3 stopped"
    expect "$node serves the last write" 'a + b + 10' "$(node_http "$node" GET "/evaluator/v1/libraries/$lib")"
done
"${compose[@]}" start etcd-3
say "etcd-3 started"

expect "delete through the proxy" '200 ' "$(proxy_http DELETE "/evaluator/v1/libraries/$lib")"
wait_healthy evaluator-1 evaluator-2
say "PASS in $((SECONDS - start)) s"
