#!/usr/bin/env bash
# End-to-end: a real pipecut-server scraped by a real Prometheus.
#   $1 = pipecut CLI, $2 = pipecut-server, $3 = source dir
# Starts the server on free ports (port 0; the ports are read from its
# "listening on" log line), runs Prometheus on loopback with a temporary
# config and storage dir and a 1 s scrape interval, solves through the server,
# and checks through Prometheus' HTTP API that it scraped the job metrics.
# Every process started here is stopped on exit.
set -euo pipefail
PIPECUT=$1
SERVER=$2
SRC=$3
WORK=$(mktemp -d)
SERVER_PID=""
PROM_PID=""
cleanup() {
  for pid in "$PROM_PID" "$SERVER_PID"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- server log" >&2; tail -n 30 "$WORK/server.log" >&2 || true
  echo "--- prometheus log" >&2; tail -n 20 "$WORK/prometheus.log" >&2 || true
  exit 1
}
command -v prometheus >/dev/null || { echo "SKIP: prometheus is not installed (tools/install_deps.sh)"; exit 0; }
PY=/usr/bin/python3

# 1. The server, on ports chosen by the kernel.
"$SERVER" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --threads 2 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  grep -q "pipecut-server listening on" "$WORK/server.log" && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited"
  sleep 0.1
done
LINE=$(grep -m1 "pipecut-server listening on" "$WORK/server.log") || fail "no listening line"
GRPC_ADDR=$(sed -E 's/.*listening on ([^ ]+) metrics on ([^ ]+).*/\1/' <<<"$LINE")
METRICS_ADDR=$(sed -E 's/.*listening on ([^ ]+) metrics on ([^ ]+).*/\2/' <<<"$LINE")
[[ "$GRPC_ADDR" =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "cannot parse gRPC address from: $LINE"
[[ "$METRICS_ADDR" =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "cannot parse metrics address from: $LINE"

# The exposition is valid Prometheus text.
$PY - "$METRICS_ADDR" >"$WORK/metrics.txt" <<'PY' || fail "cannot fetch /metrics"
import sys, urllib.request
print(urllib.request.urlopen(f"http://{sys.argv[1]}/metrics", timeout=10).read().decode(), end="")
PY
if command -v promtool >/dev/null; then
  promtool check metrics <"$WORK/metrics.txt" || fail "promtool rejects the exposition"
fi
grep -q '^pipecut_build_info{version=' "$WORK/metrics.txt" || fail "no pipecut_build_info"

# 2. Prometheus on a free loopback port, scraping the server every second.
PROM_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: pipecut
    static_configs:
      - targets: ["$METRICS_ADDR"]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!

# 3. Work for the server: a streamed solve through the CLI, and, when the CLI
#    has the jobs subcommand, a submitted job followed to its end.
"$PIPECUT" solve "$SRC/examples/design_example.json" -k 2 --server "$GRPC_ADDR" \
  >"$WORK/solve.out" 2>"$WORK/solve.err" || fail "remote solve exited $?: $(cat "$WORK/solve.err")"
if "$PIPECUT" --help 2>/dev/null | grep -qE "^ +jobs"; then
  JOB=$("$PIPECUT" jobs --server "$GRPC_ADDR" submit "$SRC/examples/design_example.json" -k 2) ||
    fail "jobs submit failed"
  "$PIPECUT" jobs --server "$GRPC_ADDR" watch "$JOB" >"$WORK/watch.out" 2>"$WORK/watch.err" ||
    fail "jobs watch exited $?: $(cat "$WORK/watch.err")"
  "$PIPECUT" jobs --server "$GRPC_ADDR" list | grep -q "$JOB" || fail "jobs list lacks $JOB"
  EXPECTED_JOBS=2
else
  EXPECTED_JOBS=1
fi

# 4. Prometheus must have scraped the finished jobs (poll its API, 60 s max).
query() {  # query PROMQL -> the first sample's value, or empty
  $PY - "$PROM_PORT" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[2]})
try:
    data = json.load(urllib.request.urlopen(url, timeout=5))
except Exception:
    sys.exit(0)
result = data.get("data", {}).get("result", [])
if result:
    print(result[0]["value"][1])
PY
}
ok=""
for _ in $(seq 1 120); do
  jobs=$(query 'sum(pipecut_jobs_total{job="pipecut"})')
  if [ -n "$jobs" ] && $PY -c "import sys; sys.exit(0 if float('$jobs') >= $EXPECTED_JOBS else 1)"; then
    ok=1
    break
  fi
  kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus exited"
  sleep 0.5
done
[ -n "$ok" ] || fail "Prometheus never saw $EXPECTED_JOBS finished jobs (last: '${jobs:-none}')"
[ "$(query 'up{job="pipecut"}')" = "1" ] || fail "target not up"
solves=$(query 'pipecut_rpc_requests_total{job="pipecut",method="Solve",code="OK"}')
[ "$solves" = "1" ] || fail "expected 1 OK Solve RPC, Prometheus has '$solves'"
first=$(query 'pipecut_time_to_first_partition_seconds_count{job="pipecut"}')
[ -n "$first" ] && [ "$first" != "0" ] || fail "no time-to-first-partition samples"
improvements=$(query 'sum(pipecut_incumbent_improvements_total{job="pipecut"})')
[ -n "$improvements" ] && [ "$improvements" != "0" ] || fail "no incumbent improvements scraped"

# 5. SIGTERM drains and exits 0.
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || fail "server exited $? on SIGTERM"
SERVER_PID=""
grep -q "event=stopped" "$WORK/server.log" || fail "no clean stop in the server log"
echo "PASS: Prometheus scraped $jobs jobs, $solves Solve RPC, $improvements improvements"
