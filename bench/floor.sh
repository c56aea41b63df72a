#!/usr/bin/env bash
# The per-call cost of get_lock_detail against a real web server: Debian's nginx serves the
# recorded lock detail (get_lock.online.json) with keep-alive on 127.0.0.1, and in the same run
#   1. wrk -c1 -t1 measures the single-connection floor (requests per second one connection
#      can get out of this nginx on this machine),
#   2. august-bench lock-detail makes sequential Api::get_lock_detail calls (one connection,
#      request built, sent, answer read and parsed into a LockDetail),
#   3. py-august makes the same calls (bench/side_by_side.py, one requests.Session).
# It prints the three figures and two ratios: SDK time per call over the floor's, and
# py-august time per call over the SDK's.
#
#   bash bench/floor.sh                       # 20,000 SDK calls, 2,000 py-august calls, 5 runs
#   CALLS=5000 PY_CALLS=1000 REPEAT=3 bash bench/floor.sh
#
# Needs nginx and wrk (apt-get install nginx-light wrk); bench/side_by_side.sh's venv for
# py-august is created on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

CALLS="${CALLS:-20000}"
PY_CALLS="${PY_CALLS:-2000}"
REPEAT="${REPEAT:-5}"
SECONDS_WRK="${SECONDS_WRK:-5}"
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

floor=(); sdk=(); py=(); ureq=(); raw=()
for _ in $(seq "$REPEAT"); do
  out=$(wrk -c1 -t1 -d"${SECONDS_WRK}s" "$URL/locks/$LOCK_ID")
  if grep -q 'Non-2xx' <<<"$out"; then echo "wrk got error answers:" >&2; echo "$out" >&2; exit 1; fi
  floor+=("$(awk '/Requests\/sec/ {print $2}' <<<"$out")")
  sdk+=("$(field "$("$BIN" lock-detail --base-url "$URL" --calls "$CALLS")" calls_per_second)")
  ureq+=("$(field "$("$BIN" bare-get --url "$URL/locks/$LOCK_ID" --calls "$CALLS")" calls_per_second)")
  raw+=("$(field "$("$BIN" raw-get --addr "127.0.0.1:$PORT" --path "/locks/$LOCK_ID" --calls "$CALLS")" calls_per_second)")
  py+=("$(field "$("$PY" bench/side_by_side.py lock-detail "$URL" "$PY_CALLS")" calls_per_second)")
done
FLOOR=$(median "${floor[@]}"); SDK=$(median "${sdk[@]}"); PYA=$(median "${py[@]}")
UREQ=$(median "${ureq[@]}"); RAW=$(median "${raw[@]}")
us() { "$PY" -c 'import sys; print("%.2f" % (1e6 / float(sys.argv[1])))' "$1"; }
printf '%-40s %10.0f req/s %8s us/req   (runs: %s)\n' "nginx floor (wrk -c1 -t1)" "$FLOOR" "$(us "$FLOOR")" "${floor[*]}"
printf '%-40s %10.0f calls/s %6s us/call  (runs: %s)\n' "august-rs Api::get_lock_detail" "$SDK" "$(us "$SDK")" "${sdk[*]}"
printf '%-40s %10.0f calls/s %6s us/call  (runs: %s)\n' "  for reference: bare ureq GET, no parse" "$UREQ" "$(us "$UREQ")" "${ureq[*]}"
printf '%-40s %10.0f calls/s %6s us/call  (runs: %s)\n' "  for reference: raw TcpStream GET" "$RAW" "$(us "$RAW")" "${raw[*]}"
printf '%-40s %10.0f calls/s %6s us/call  (runs: %s)\n' "py-august get_lock_detail" "$PYA" "$(us "$PYA")" "${py[*]}"
"$PY" -c 'import sys; f, s, p = map(float, sys.argv[1:]); print("august-rs time / floor time: %.2fx   py-august time / august-rs time: %.1fx" % (f / s, s / p))' "$FLOOR" "$SDK" "$PYA"
