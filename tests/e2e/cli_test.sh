#!/usr/bin/env bash
# End-to-end: the real `pipecut` and `pipecut-server` binaries.
#   $1 = pipecut, $2 = pipecut-server, $3 = source dir
# Checks the foundation contract: solve in-process and through the server give
# the same certificate, evaluate re-derives the plan's costs, a cyclic graph is
# rejected with its nodes named (exit 2 in-process, INVALID_ARGUMENT from the
# server, which keeps serving), and an unreachable server exits 3.
set -euo pipefail
PIPECUT=$1
SERVER=$2
SRC=$3
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

json_number() {  # json_number FILE FIELD -> the field's number
  /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"
}

# 1. In-process solve of the DESIGN worked example. "At most k stages": the
#    optimum is one stage holding all four nodes (cost W = 4).
"$PIPECUT" solve "$SRC/examples/design_example.json" -k 2 --out "$WORK/plan.json" \
  >"$WORK/solve.out" 2>"$WORK/solve.err" || fail "solve exited $?"
grep -q "bottleneck   4 " "$WORK/solve.out" || fail "summary lacks bottleneck 4: $(cat "$WORK/solve.out")"
grep -q "lower bound" "$WORK/solve.out" || fail "summary lacks the lower bound"
grep -q "#Done" "$WORK/solve.err" || fail "no final progress event on stderr"
[ "$(json_number "$WORK/plan.json" bottleneck)" = "4.0" ] || [ "$(json_number "$WORK/plan.json" bottleneck)" = "4" ] ||
  fail "plan bottleneck is $(json_number "$WORK/plan.json" bottleneck)"
/usr/bin/python3 - "$WORK/plan.json" <<'PY' || fail "plan JSON lacks DESIGN fields"
import json, sys
plan = json.load(open(sys.argv[1]))
for field in ["bottleneck", "lowerBound", "gap", "provenOptimal", "boundMethod", "stageOf", "stages"]:
    assert field in plan, field
for stage in plan["stages"]:
    for field in ["nodes", "work", "commIn", "commOut", "cost", "memoryBytes"]:
        assert field in stage, field
assert plan["lowerBound"] <= plan["bottleneck"]
PY

# 2. evaluate re-derives the costs; the DESIGN's {a | b,c,d} split costs 8.
"$PIPECUT" evaluate "$SRC/examples/design_example.json" "$WORK/plan.json" >"$WORK/eval.out" ||
  fail "evaluate exited $?"
grep -q "bottleneck   4 " "$WORK/eval.out" || fail "evaluate disagrees: $(cat "$WORK/eval.out")"
cat >"$WORK/split.json" <<'JSON'
{"k": 2, "stageOf": {"a": 0, "b": 1, "c": 1, "d": 1}}
JSON
"$PIPECUT" evaluate "$SRC/examples/design_example.json" "$WORK/split.json" >"$WORK/split.out" ||
  fail "evaluate of the split exited $?"
grep -q "bottleneck   8 " "$WORK/split.out" || fail "split should cost 8: $(cat "$WORK/split.out")"

# 3. A cycle: exit 2 with the cycle's nodes named.
cat >"$WORK/cycle.json" <<'JSON'
{"name": "cyclic", "nodes": [{"id": "in"}, {"id": "p"}, {"id": "q"}, {"id": "r"}],
 "edges": [{"src": "in", "dst": "p"}, {"src": "p", "dst": "q"}, {"src": "q", "dst": "r"}, {"src": "r", "dst": "p"}]}
JSON
set +e
"$PIPECUT" solve "$WORK/cycle.json" -k 2 >"$WORK/cycle.out" 2>"$WORK/cycle.err"
code=$?
set -e
[ "$code" = 2 ] || fail "cycle: exit $code, want 2"
grep -q "cycle" "$WORK/cycle.err" && grep -q "p" "$WORK/cycle.err" && grep -q "q" "$WORK/cycle.err" &&
  grep -q "r" "$WORK/cycle.err" || fail "cycle message: $(cat "$WORK/cycle.err")"

# 4. The server on a free port.
"$SERVER" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do
  grep -q "listening on" "$WORK/server.log" && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "server died: $(cat "$WORK/server.log")"
  sleep 0.05
done
ADDR=$(grep -o "listening on [0-9.]*:[0-9]*" "$WORK/server.log" | head -1 | awk '{print $3}')
[ -n "$ADDR" ] || fail "no listening line in the server log: $(cat "$WORK/server.log")"

"$PIPECUT" solve "$SRC/examples/design_example.json" -k 2 --server "$ADDR" --out "$WORK/remote.json" \
  >"$WORK/remote.out" 2>"$WORK/remote.err" || fail "remote solve exited $?: $(cat "$WORK/remote.err")"
[ "$(json_number "$WORK/remote.json" bottleneck)" = "$(json_number "$WORK/plan.json" bottleneck)" ] ||
  fail "remote and in-process bottlenecks differ"
[ "$(json_number "$WORK/remote.json" lowerBound)" = "$(json_number "$WORK/plan.json" lowerBound)" ] ||
  fail "remote and in-process lower bounds differ"

set +e
"$PIPECUT" solve "$WORK/cycle.json" -k 2 --server "$ADDR" >"$WORK/rcycle.out" 2>"$WORK/rcycle.err"
code=$?
set -e
[ "$code" = 2 ] || fail "remote cycle: exit $code, want 2 ($(cat "$WORK/rcycle.err"))"
grep -q "cycle" "$WORK/rcycle.err" || fail "remote cycle message: $(cat "$WORK/rcycle.err")"

# The server keeps serving after bad input.
"$PIPECUT" solve "$SRC/examples/bert_mini.json" -k 4 --budget 2 --server "$ADDR" >"$WORK/bert.out" 2>&1 ||
  fail "server stopped serving after bad input: $(cat "$WORK/bert.out")"
"$PIPECUT" evaluate "$SRC/examples/design_example.json" "$WORK/split.json" --server "$ADDR" >"$WORK/reval.out" ||
  fail "remote evaluate exited $?"
grep -q "bottleneck   8 " "$WORK/reval.out" || fail "remote evaluate: $(cat "$WORK/reval.out")"

# 5. An unreachable server: exit 3.
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
set +e
"$PIPECUT" solve "$SRC/examples/design_example.json" -k 2 --server "$ADDR" >/dev/null 2>"$WORK/down.err"
code=$?
set -e
[ "$code" = 3 ] || fail "unreachable server: exit $code, want 3"
echo "PASS"
