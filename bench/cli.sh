#!/usr/bin/env bash
# Wall time and peak memory of `august --json locks` against a local sandbox.
#
#   bash bench/cli.sh            # 50 timed runs after 3 warm-up runs
#   RUNS=200 bash bench/cli.sh
#
# Starts target/release/august-sandbox on a free port, logs in as the demo user with the code
# the sandbox "sends", then times the command in a loop (and with hyperfine when installed)
# and reads its peak resident memory from /usr/bin/time -v.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-50}"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --quiet --release -p august-cli -p august-sandbox
AUGUST=target/release/august

WORK=$(mktemp -d)
LOG="$WORK/sandbox.log"
target/release/august-sandbox --port 0 > "$LOG" 2>&1 &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
URL=""
for _ in $(seq 100); do
  URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$LOG" | head -1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "the sandbox did not start" >&2; cat "$LOG" >&2; exit 1; }
echo "sandbox: $URL"

export AUGUST_BASE_URL="$URL" AUGUST_USERNAME=+15555550100 AUGUST_PASSWORD=august-demo
export AUGUST_CACHE_FILE="$WORK/auth.json"
"$AUGUST" login > /dev/null
CODE=$(curl -fsS "$URL/__sandbox/august/code" | python3 -c 'import json, sys; print(json.load(sys.stdin)["code"])')
"$AUGUST" verify "$CODE" > /dev/null
"$AUGUST" --json locks | python3 -c 'import json, sys; print("locks listed:", len(json.load(sys.stdin)))'

for _ in 1 2 3; do "$AUGUST" --json locks > /dev/null; done
start=$(date +%s%N)
for _ in $(seq "$RUNS"); do "$AUGUST" --json locks > /dev/null; done
end=$(date +%s%N)
python3 -c 'import sys; print("loop: %d runs, mean %.2f ms wall" % (int(sys.argv[1]), (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[1]) / 1e6))' "$RUNS" "$start" "$end"

if command -v hyperfine > /dev/null; then
  hyperfine --warmup 3 --runs "$RUNS" -N "$AUGUST --json locks"
fi

/usr/bin/time -v "$AUGUST" --json locks 2>&1 > /dev/null | grep -E 'Maximum resident|Elapsed'
echo "binary: $(stat -c %s "$AUGUST") bytes ($AUGUST)"
