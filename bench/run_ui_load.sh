#!/bin/bash
# Web UI load test (issue 7): wrk with 50 connections against the alert list API while a replay
# writes alerts into the same store; latency percentiles, error responses, and whether every
# alert the replay wrote is in the store.
#
#   bench/run_ui_load.sh BUILD_DIR [--duration SECONDS] [--connections N] [--packets N]
#
# Steps: a capture of --packets packets (default 400 000) from gen_modbus_capture.py into
# bench/data/ (kept); an empty store with an analyst user; `otsentry serve` on a free local port;
# a login with curl (session cookie); then, at the same time, `otsentry replay CAPTURE --db STORE`
# (the built-in rules and the capture's anomalies give alerts) and `wrk -c N -d SECONDS --latency`
# on GET /api/v1/alerts?limit=50. Afterwards: wrk's p50/p90/p99, requests/s, non-2xx responses
# and socket errors, and the replay's alert count against the store's (sum of the aggregated
# rows' counts). Report on stdout and in bench/results/ui-load-<UTC stamp>.md. Exit 1 when a
# response was not 2xx, a socket error happened, or an alert is missing.
set -euo pipefail

build=${1:?usage: run_ui_load.sh BUILD_DIR [--duration S] [--connections N] [--packets N]}
shift
duration=15 conns=50 packets=400000
while [ $# -gt 0 ]; do
    case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --packets) packets=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
bin=$(readlink -f "$build/app/otsentry")
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "error: $tool is not installed (scripts/install-deps)" >&2; exit 1; }
done
mkdir -p "$here/data" "$here/results"
cap=$here/data/modbus-${packets}pk-f2000-s1.pcap
if [ ! -s "$cap" ]; then
    python3 "$here/gen_modbus_capture.py" "$cap.part" --packets "$packets" --flows 2000 --seed 1 >&2
    mv "$cap.part" "$cap"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/otsentry-ui-load.XXXXXX")
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
db=$work/otsentry.db
pw=$("$bin" user add loadtest --role analyst --db "$db" | sed -n "s/^One-time password for 'loadtest': *\([^[:space:]]*\).*$/\1/p")
[ -n "$pw" ] || { echo "error: could not create the analyst user" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done
curl -s -c "$work/cookies" -H 'Content-Type: application/json' \
    -d "{\"username\":\"loadtest\",\"password\":\"$pw\"}" "http://127.0.0.1:$port/api/v1/session" >/dev/null
cookie=$(awk '$6 == "otsentry_session" {print $7}' "$work/cookies")
[ -n "$cookie" ] || { echo "error: login failed" >&2; cat "$work/serve.log" >&2; exit 1; }

url="http://127.0.0.1:$port/api/v1/alerts?limit=50"
"$bin" replay "$cap" --db "$db" --eve '' --workers 1 >"$work/replay.out" 2>"$work/replay.err" &
replay=$!
wrk -t2 -c"$conns" -d"${duration}s" --latency -H "Cookie: otsentry_session=$cookie" "$url" >"$work/wrk.out" 2>&1
wait "$replay"
written=$(sed -n 's/^  written: *[0-9,]* events, \([0-9,]*\) alerts.*/\1/p' "$work/replay.out" | tr -d ,)
stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select coalesce(sum(count),0) from alerts").fetchone()[0])' "$db")
rows=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from alerts").fetchone()[0])' "$db")

lat() { awk -v p="$1" '$1 == p {print $2}' "$work/wrk.out"; }
reqs=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
non2xx=$(awk '/Non-2xx or 3xx responses/ {print $5}' "$work/wrk.out")
sockerr=$(sed -n 's/.*Socket errors: \(.*\)/\1/p' "$work/wrk.out")
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
report=$here/results/ui-load-$stamp.md
{
    echo "# Web UI load: wrk -c $conns -d ${duration}s on GET /api/v1/alerts?limit=50 during a replay ($stamp)"
    echo
    echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); otsentry: $bin ($(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo ?))"
    echo "replay: $cap ($packets packets) into the store the server reads, at the same time"
    echo
    echo "| requests | requests/s | p50 | p90 | p99 | non-2xx | socket errors | alerts written by the replay | alerts in the store (rows) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    echo "| $total | $reqs | $(lat 50%) | $(lat 90%) | $(lat 99%) | ${non2xx:-0} | ${sockerr:-none} | $written | $stored ($rows) |"
    echo
    echo '```'
    cat "$work/wrk.out"
    echo '```'
} | tee "$report"
echo "written: $report"
status=0
[ -z "$non2xx" ] || { echo "FAIL: $non2xx responses were not 2xx" >&2; status=1; }
[ -z "$sockerr" ] || { echo "FAIL: socket errors: $sockerr" >&2; status=1; }
[ "$written" = "$stored" ] || { echo "FAIL: the replay wrote $written alerts, the store holds $stored" >&2; status=1; }
exit $status
