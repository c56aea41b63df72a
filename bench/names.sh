#!/usr/bin/env bash
# What a host name costs per call: `get_lock_detail` against the same local server addressed as
# `127.0.0.1` and as `localhost`, beside a bare ureq GET to `localhost` (ureq looks the name up
# on every request, on a new thread when a timeout is set).
#
#   bash bench/names.sh              # CALLS=2000 calls per run, REPEAT=5 runs, median shown
#
# Prints the median calls per second of each, and, when strace is installed, how many threads
# each process created for 1,000 calls (clone3).
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS="${CALLS:-2000}"
REPEAT="${REPEAT:-5}"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --quiet --release -p august-bench
BENCH=target/release/august-bench

WORK=$(mktemp -d)
# The server runs until its stdin closes.
exec 3> >("$BENCH" serve --port 0 > "$WORK/url")
trap 'exec 3>&-; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -s "$WORK/url" ] && break; sleep 0.1; done
IP_URL=$(cat "$WORK/url")
PORT=${IP_URL##*:}
NAME_URL="http://localhost:$PORT"
LOCK=A6697750D607098BAE8D6BAA11EF8063

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
rate() { python3 -c 'import json, sys; print(json.load(sys.stdin)["calls_per_second"])'; }

run() {
  local label=$1; shift
  local rates=()
  for _ in $(seq "$REPEAT"); do rates+=("$("$BENCH" "$@" --calls "$CALLS" | rate)"); done
  printf '%-40s %10s calls/s   runs: %s\n' "$label" "$(printf '%s\n' "${rates[@]}" | median)" "${rates[*]}"
}

run "Api::get_lock_detail, 127.0.0.1" lock-detail --base-url "$IP_URL"
run "Api::get_lock_detail, localhost" lock-detail --base-url "$NAME_URL"
run "bare ureq GET, localhost" bare-get --url "$NAME_URL/locks/$LOCK"

if command -v strace > /dev/null; then
  threads() {
    strace -f -c -e trace=clone3,clone "$BENCH" "$@" --calls 1000 2>&1 >/dev/null \
      | awk '$NF ~ /^clone/ {n += $4} END {print n + 0}'
  }
  echo "threads created for 1,000 calls (strace -f -c):"
  echo "  Api::get_lock_detail, localhost: $(threads lock-detail --base-url "$NAME_URL")"
  echo "  bare ureq GET, localhost:        $(threads bare-get --url "$NAME_URL/locks/$LOCK")"
fi
