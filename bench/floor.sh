#!/usr/bin/env bash
# The per-call cost of get_lock_detail against a real web server: Debian's nginx serves the
# recorded lock detail (get_lock.online.json) with keep-alive on 127.0.0.1, and in the same run
#   1. wrk -c1 -t1 measures the single-connection floor (requests per second one connection
#      can get out of this nginx on this machine),
#   2. august-bench lock-detail makes sequential Api::get_lock_detail calls (one connection,
#      request built, sent, answer read and parsed into a LockDetail); for reference, the same
#      GET through api-transport without decoding, and by hand on a raw TcpStream,
#   3. py-august makes the same calls (bench/side_by_side.py, one requests.Session).
# It prints the three figures and two ratios: SDK time per call over the floor's, and
# py-august time per call over the SDK's, with the targets (at most 1.25x, at least 8x).
#
# The floor is fair: nginx's stub_status is read around every wrk run to check that wrk made
# its requests on one connection (besides the one it opens and closes at once to check the
# address) and that nginx answered as many requests as wrk counted; wrk without a script never
# pipelines (COUNTS=1 shows one write per request).
#
# Wall times depend on the load of the machine (printed first). COUNTS=1 adds figures that
# do not: system calls (strace -c) and instructions (valgrind's callgrind) per SDK call, each
# the difference between a run of N and one of 2N calls (start-up cancels out).
#
#   bash bench/floor.sh                       # 20,000 SDK calls, 2,000 py-august calls, 5 runs
#   CALLS=5000 PY_CALLS=1000 REPEAT=3 bash bench/floor.sh
#   COUNTS=1 COUNT_CALLS=1000 bash bench/floor.sh
#
# Needs nginx and wrk (apt-get install nginx-light wrk); bench/side_by_side.sh's venv for
# py-august is created on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS="${CALLS:-20000}"
PY_CALLS="${PY_CALLS:-2000}"
REPEAT="${REPEAT:-5}"
SECONDS_WRK="${SECONDS_WRK:-5}"
COUNTS="${COUNTS:-0}"
COUNT_CALLS="${COUNT_CALLS:-1000}"
VENV=bench/.venv
PY_AUGUST_VERSION=0.25.2
LOCK_ID=A1B2C3D4E5F60718293A4B5C6D7E8F01

for tool in nginx wrk; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install nginx-light wrk" >&2; exit 1; }
done

echo "== machine"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "py-august==$PY_AUGUST_VERSION"
PY="$VENV/bin/python"

cargo build --quiet --release -p august-bench
BIN=target/release/august-bench

WORK=$(mktemp -d)
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$WORK/root/locks"; chmod 755 "$WORK"
cp crates/august-core/tests/fixtures/get_lock.online.json "$WORK/root/locks/$LOCK_ID"; chmod -R a+rX "$WORK/root"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp;
  proxy_temp_path $WORK/tmp;
  fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp;
  scgi_temp_path $WORK/tmp;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$PORT;
    root $WORK/root;
    default_type application/json;
    etag off;
    location = /nginx-status { stub_status; }
  }
}
CONF
nginx -p "$WORK" -c "$WORK/nginx.conf" -g 'daemon off;' &
NGINX=$!
cleanup() { kill "$NGINX" 2>/dev/null || true; wait "$NGINX" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 50); do "$PY" -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1])' "$URL/locks/$LOCK_ID" 2>/dev/null && break; sleep 0.1; done
"$PY" -c 'import sys, urllib.request as u; assert u.urlopen(sys.argv[1]).status == 200' "$URL/locks/$LOCK_ID" \
  || { echo "nginx does not serve the lock detail:" >&2; cat "$WORK/error.log" >&2; exit 1; }
echo "server: nginx $(nginx -v 2>&1 | sed 's/.*\///') at $URL"

median() { "$PY" -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
field() { "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# "accepts requests" from stub_status (this request itself counts as one of each).
nginx_counts() { "$PY" -c 'import sys, urllib.request as u; t = u.urlopen(sys.argv[1]).read().decode().split("\n"); print(*t[2].split()[0:3:2])' "$URL/nginx-status"; }

floor=(); sdk=(); py=(); transport=(); raw=()
for _ in $(seq "$REPEAT"); do
  read -r accepts0 requests0 < <(nginx_counts)
  out=$(wrk -c1 -t1 -d"${SECONDS_WRK}s" "$URL/locks/$LOCK_ID")
  read -r accepts1 requests1 < <(nginx_counts)
  if grep -q 'Non-2xx' <<<"$out"; then echo "wrk got error answers:" >&2; echo "$out" >&2; exit 1; fi
  wrk_requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # wrk connects once to check the address (no request) and then once for its requests; the
  # second status read is one more connection and request.
  connections=$((accepts1 - accepts0 - 2)); served=$((requests1 - requests0 - 1))
  if [ "$connections" -ne 1 ] || [ "$served" -lt "$wrk_requests" ] || [ "$served" -gt $((wrk_requests + 1)) ]; then
    echo "wrk did not make its requests on one connection: $connections connections, nginx served $served, wrk counted $wrk_requests" >&2
    exit 1
  fi
  floor+=("$(awk '/Requests\/sec/ {print $2}' <<<"$out")")
  sdk+=("$(field "$("$BIN" lock-detail --base-url "$URL" --calls "$CALLS")" calls_per_second)")
  transport+=("$(field "$("$BIN" transport-get --base-url "$URL" --calls "$CALLS")" calls_per_second)")
  raw+=("$(field "$("$BIN" raw-get --addr "127.0.0.1:$PORT" --path "/locks/$LOCK_ID" --calls "$CALLS")" calls_per_second)")
  py+=("$(field "$("$PY" bench/side_by_side.py lock-detail "$URL" "$PY_CALLS")" calls_per_second)")
done
FLOOR=$(median "${floor[@]}"); SDK=$(median "${sdk[@]}"); PYA=$(median "${py[@]}")
TRANSPORT=$(median "${transport[@]}"); RAW=$(median "${raw[@]}")
us() { "$PY" -c 'import sys; print("%.2f" % (1e6 / float(sys.argv[1])))' "$1"; }
printf '%-40s %10.0f req/s %8s us/req   (runs: %s)\n' "nginx floor (wrk -c1 -t1)" "$FLOOR" "$(us "$FLOOR")" "${floor[*]}"
printf '%-40s %10.0f calls/s %6s us/call  (runs: %s)\n' "august-rs Api::get_lock_detail" "$SDK" "$(us "$SDK")" "${sdk[*]}"
printf '%-40s %10.0f calls/s %6s us/call  (runs: %s)\n' "  api-transport GET, no decoding" "$TRANSPORT" "$(us "$TRANSPORT")" "${transport[*]}"
printf '%-40s %10.0f calls/s %6s us/call  (runs: %s)\n' "  raw TcpStream GET, no HTTP client" "$RAW" "$(us "$RAW")" "${raw[*]}"
printf '%-40s %10.0f calls/s %6s us/call  (runs: %s)\n' "py-august get_lock_detail" "$PYA" "$(us "$PYA")" "${py[*]}"
"$PY" - "$FLOOR" "$SDK" "$PYA" "${floor[*]}" "${sdk[*]}" "${py[*]}" <<'PY'
import sys
floor, sdk, py = map(float, sys.argv[1:4])
best = [max(map(float, runs.split())) for runs in sys.argv[4:7]]
over_floor, py_over_sdk = floor / sdk, sdk / py
print("august-rs time / floor time: %.2fx   py-august time / august-rs time: %.1fx" % (over_floor, py_over_sdk))
# A busy machine slows some runs of each loop: the fastest runs are the least disturbed.
print("fastest runs: august-rs / floor %.2fx, py-august / august-rs %.1fx" % (best[0] / best[1], best[1] / best[2]))
print("targets: at most 1.25x the floor: %s; py-august at least 8x slower: %s" % (
    "met" if over_floor <= 1.25 else "not met", "met" if py_over_sdk >= 8 else "not met"))
PY

if [ "$COUNTS" = 1 ]; then
  echo "== per call, independent of the load (difference of $COUNT_CALLS and $((2 * COUNT_CALLS)) calls)"
  for tool in strace valgrind; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install strace valgrind" >&2; exit 1; }
  done
  per_call_syscalls() {
    strace -f -c -o "$WORK/s1" "$@" --calls "$COUNT_CALLS" >/dev/null
    strace -f -c -o "$WORK/s2" "$@" --calls $((2 * COUNT_CALLS)) >/dev/null
    "$PY" - "$WORK/s1" "$WORK/s2" "$COUNT_CALLS" <<'PY'
import sys
def counts(path):
    out = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
            out[f[-1]] = int(f[3])
    return out
a, b, n = counts(sys.argv[1]), counts(sys.argv[2]), int(sys.argv[3])
per = {k: (b.get(k, 0) - a.get(k, 0)) / n for k in b}
per = {k: v for k, v in per.items() if v >= 0.05}
print("%.1f (%s)" % (sum(per.values()), ", ".join("%s %.1f" % kv for kv in sorted(per.items(), key=lambda kv: -kv[1]))))
PY
  }
  per_call_instructions() {
    local i1 i2
    i1=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" --calls "$COUNT_CALLS" 2>&1 >/dev/null | awk '/Collected/ {print $4}')
    i2=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" --calls $((2 * COUNT_CALLS)) 2>&1 >/dev/null | awk '/Collected/ {print $4}')
    echo $(((i2 - i1) / COUNT_CALLS))
  }
  printf '%-40s %s\n' "august-rs get_lock_detail syscalls" "$(per_call_syscalls "$BIN" lock-detail --base-url "$URL")"
  printf '%-40s %s\n' "raw TcpStream GET syscalls" "$(per_call_syscalls "$BIN" raw-get --addr "127.0.0.1:$PORT" --path "/locks/$LOCK_ID")"
  printf '%-40s %s\n' "august-rs get_lock_detail instructions" "$(per_call_instructions "$BIN" lock-detail --base-url "$URL")"
  printf '%-40s %s\n' "  of which decoding (parse-lock-detail)" "$(per_call_instructions "$BIN" parse-lock-detail --into typed)"
  printf '%-40s %s\n' "  JSON skipped, nothing built" "$(per_call_instructions "$BIN" parse-lock-detail --into skip)"
  printf '%-40s %s\n' "api-transport GET instructions" "$(per_call_instructions "$BIN" transport-get --base-url "$URL")"
  printf '%-40s %s\n' "raw TcpStream GET instructions" "$(per_call_instructions "$BIN" raw-get --addr "127.0.0.1:$PORT" --path "/locks/$LOCK_ID")"
  strace -f -c -o "$WORK/wrk" wrk -c1 -t1 -d1s "$URL/locks/$LOCK_ID" > "$WORK/wrk.out"
  printf '%-40s %s requests, %s writes\n' "wrk -c1 -t1 under strace, 1 s" "$(awk '/requests in/ {print $1}' "$WORK/wrk.out")" "$(awk '$NF == "write" {print $4}' "$WORK/wrk")"
fi
