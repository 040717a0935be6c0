#!/usr/bin/env bash
# The image's HEALTHCHECK, usable anywhere: exits 0 when GET /health/ready on the plain HTTP port answers 200.
# Plain bash (/dev/tcp), because the JRE image has no curl. EVALUATOR_PORT names the port (default 8093); with
# --disable-http there is no plain port to probe: use your orchestrator's HTTPS probe instead.
set -euo pipefail
port="${EVALUATOR_PORT:-8093}"
if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    echo "healthcheck: nothing listens on 127.0.0.1:$port" >&2
    exit 1
fi
printf 'GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
status=""
read -r -t 5 status <&3 || true
exec 3<&-
case "$status" in
    "HTTP/1.1 200 "*) exit 0 ;;
    *) echo "healthcheck: not ready: ${status:-no answer}" >&2; exit 1 ;;
esac
