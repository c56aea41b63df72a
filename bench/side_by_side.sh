#!/usr/bin/env bash
# Side-by-side: the same sequential calls through the Python clients (py-august, authy-python)
# and through august-rs, against one local keep-alive server (august-bench serve) that answers
# the recorded lock detail and token-verify responses. Prints calls per second, the ratios and
# how many TCP connections each client opened.
#
#   bash bench/side_by_side.sh                # 2,000 calls per run, 5 runs, median shown
#   CALLS=500 REPEAT=3 bash bench/side_by_side.sh
#
# Loopback wall times on a small VM swing with scheduling, so every loop runs REPEAT times in
# a fresh process and the median run's calls per second is reported; the connection count is
# per run (every run must open its own one connection).
#
# Creates bench/.venv (git-ignored) with pinned py-august and authy from PyPI on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS="${CALLS:-2000}"
REPEAT="${REPEAT:-5}"
VENV=bench/.venv
PY_AUGUST_VERSION=0.25.2
AUTHY_VERSION=2.2.6

echo "== machine"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  "py-august==$PY_AUGUST_VERSION" "authy==$AUTHY_VERSION"
PY="$VENV/bin/python"

echo "== building august-bench (release)"
cargo build --quiet --release -p august-bench
BIN=target/release/august-bench

# The server runs until its stdin closes; the trap closes it and waits.
coproc SERVER { exec "$BIN" serve; }
SERVER_PID_SAVED=$SERVER_PID
SERVER_IN=${SERVER[1]}
cleanup() {
  exec {SERVER_IN}>&- 2>/dev/null || true
  wait "$SERVER_PID_SAVED" 2>/dev/null || true
}
trap cleanup EXIT
read -r URL <&"${SERVER[0]}"
echo "server: $URL"

# GET /__bench/stats answers the counters; DELETE answers them and resets them.
stats() { "$PY" -c 'import sys, urllib.request as u
r = u.Request(sys.argv[1] + "/__bench/stats", method=sys.argv[2])
print(u.urlopen(r).read().decode())' "$URL" "$1"; }
field() { "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# run LABEL COMMAND...: runs the loop REPEAT times; prints the median run and the connections
# and requests per run.
run() {
  local label=$1; shift
  stats DELETE > /dev/null
  local rates=()
  for _ in $(seq "$REPEAT"); do
    local result; result=$("$@")
    rates+=("$(field "$result" calls_per_second)")
  done
  local counters; counters=$(stats GET)
  LAST=$("$PY" -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "${rates[@]}")
  printf '%-34s %10.1f calls/s %9.2f us/call  (runs: %s)  connections/run: %s  requests/run: %s\n' \
    "$label" "$LAST" "$("$PY" -c 'import sys; print(1e6 / float(sys.argv[1]))' "$LAST")" \
    "$(IFS=' '; echo "${rates[*]}")" \
    "$("$PY" -c 'import sys; print(int(sys.argv[1]) / int(sys.argv[2]))' "$(field "$counters" api_connections)" "$REPEAT")" \
    "$("$PY" -c 'import sys; print(int(sys.argv[1]) / int(sys.argv[2]))' "$(field "$counters" api_requests)" "$REPEAT")"
}
ratio() { "$PY" -c 'import sys; print("%.1fx" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }

echo "== get_lock_detail, $CALLS sequential calls per run (+1 warm-up), median of $REPEAT runs"
run "py-august (requests.Session)" "$PY" bench/side_by_side.py lock-detail "$URL" "$CALLS"; PY_LOCK=$LAST
run "august-rs Api::get_lock_detail" "$BIN" lock-detail --base-url "$URL" --calls "$CALLS"; RS_LOCK=$LAST
run "bare ureq GET (floor)" "$BIN" bare-get --url "$URL/locks/A1B2C3D4E5F60718293A4B5C6D7E8F01" --calls "$CALLS"; FLOOR=$LAST
run "raw TcpStream GET (loopback)" "$BIN" raw-get --addr "${URL#http://}" --path /locks/A1B2C3D4E5F60718293A4B5C6D7E8F01 --calls "$CALLS"; RAW=$LAST
echo "august-rs / py-august: $(ratio "$RS_LOCK" "$PY_LOCK")   august-rs time / bare ureq time: $(ratio "$FLOOR" "$RS_LOCK")   raw TCP / py-august: $(ratio "$RAW" "$PY_LOCK") (the best any client could reach here)"

echo "== Authy token verification, $CALLS sequential calls per run (+1 warm-up), median of $REPEAT runs"
run "authy-python (as shipped)" "$PY" bench/side_by_side.py authy-verify "$URL" "$CALLS"; PY_AUTHY=$LAST
run "authy-python (one Session)" "$PY" bench/side_by_side.py authy-verify "$URL" "$CALLS" --reuse-session; PY_AUTHY_SESSION=$LAST
run "august-rs tokens().verify" "$BIN" authy-verify --base-url "$URL" --calls "$CALLS"; RS_AUTHY=$LAST
echo "august-rs / authy-python: $(ratio "$RS_AUTHY" "$PY_AUTHY") (as shipped), $(ratio "$RS_AUTHY" "$PY_AUTHY_SESSION") (one Session)"
