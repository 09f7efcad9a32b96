#!/bin/bash
# Regenerate the Modbus/TCP captures in pcaps/ from real peers over loopback:
# a pymodbus 3.0 server (modbus_peers.py server) and pymodbus clients, captured with tcpdump on lo.
#
#   sudo pcaps/modbus/make_captures.sh            # all three captures
#   sudo pcaps/modbus/make_captures.sh demo       # only pcaps/demo/demo.pcap (also: functions, port5020)
#
# Needs root (capture on lo, port 502), tcpdump, Debian's /usr/bin/python3 with python3-pymodbus.
# Only 127.0.0.0/8 is used. Values are fixed; timestamps, ephemeral ports and sequence numbers
# change per run. Each capture is written to a temporary file and moved into place when complete.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pcaps=$(dirname "$here")
py=/usr/bin/python3
peers="$here/modbus_peers.py"
export TZ=UTC LC_ALL=C
tmp=$(mktemp -d)
server_pid=""
tcpdump_pid=""

cleanup() {
    [ -n "$tcpdump_pid" ] && kill -INT "$tcpdump_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

port_busy() {
    ss -Htln "sport = :$1" | grep -q .
}

start_server() {  # $1 = port
    if port_busy "$1"; then
        echo "error: TCP port $1 already has a listener (ss -ltnp 'sport = :$1'); stop it first" >&2
        exit 1
    fi
    "$py" "$peers" server --host 127.0.0.1 --port "$1" >"$tmp/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q '^listening' "$tmp/server.log" && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: server on port $1 did not start:" >&2
    cat "$tmp/server.log" >&2
    exit 1
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

start_capture() {  # $1 = output, $2 = BPF filter
    tcpdump -i lo -U -n -s 0 -w "$1" "$2" 2>"$tmp/tcpdump.log" &
    tcpdump_pid=$!
    for _ in $(seq 100); do
        grep -q 'listening on' "$tmp/tcpdump.log" && { sleep 0.3; return 0; }
        kill -0 "$tcpdump_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: tcpdump did not start:" >&2
    cat "$tmp/tcpdump.log" >&2
    exit 1
}

stop_capture() {
    sleep 0.5  # let the last FIN/ACKs reach the capture
    kill -INT "$tcpdump_pid"
    wait "$tcpdump_pid" || true
    tcpdump_pid=""
    grep -E 'packets (captured|dropped by kernel)' "$tmp/tcpdump.log" | sed 's/^/  tcpdump: /'
}

# capture NAME OUTPUT PORT FILTER CLIENT-ARGS...
capture() {
    local name=$1 out=$2 port=$3 filter=$4
    shift 4
    echo "== $name -> ${out#"$pcaps"/}"
    start_server "$port"
    start_capture "$tmp/$name.pcap" "$filter"
    "$py" "$peers" client --port "$port" "$@"
    stop_capture
    stop_server
    mkdir -p "$(dirname "$out")"
    mv "$tmp/$name.pcap" "$out"
    chmod 644 "$out"
    capinfos -c -s "$out" | sed -n 's/^/  /; 2,$p'
}

what=${1:-all}
case $what in
all|functions)
    capture functions "$pcaps/modbus/pymodbus_functions.pcap" 502 \
        'tcp port 502 and host 127.0.0.5' --scenario functions --source 127.0.0.5 ;;&
all|port5020)
    capture port5020 "$pcaps/modbus/pymodbus_port5020.pcap" 5020 \
        'tcp port 5020 and host 127.0.0.6' --scenario functions --source 127.0.0.6 ;;&
all|demo)
    capture demo "$pcaps/demo/demo.pcap" 502 \
        'tcp port 502 and (host 127.0.0.10 or host 127.0.0.20 or host 127.0.0.66)' --scenario demo ;;
functions|port5020) ;;
*) echo "usage: $0 [all|functions|port5020|demo]" >&2; exit 2 ;;
esac
