#!/bin/bash
# Regenerate the attack captures in pcaps/attacks/ from real peers over loopback:
# pymodbus 3.0 server and clients (via pcaps/modbus/modbus_peers.py) and a small DNP3 outstation
# and master over real TCP sockets (attack_peers.py), captured with tcpdump on lo.
#
#   sudo pcaps/attacks/make_captures.sh                     # all four captures
#   sudo pcaps/attacks/make_captures.sh dnp3_cold_restart   # one of them
#
# Needs root (capture on lo, port 502), tcpdump, capinfos, Debian's /usr/bin/python3 with
# python3-pymodbus and python3-scapy. Ports 502 and 20000 must be free. Only 127.0.0.0/8 is
# used. Every request and value is fixed, so a new run gives the same packets except for
# timestamps, ephemeral ports and TCP sequence numbers (and, rarely, a pure ACK more or less).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
peers="$here/attack_peers.py"
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

start_server() {  # $1 = server subcommand, $2 = port
    if ss -Htln "sport = :$2" | grep -q .; then
        echo "error: TCP port $2 already has a listener (ss -ltnp 'sport = :$2'); stop it first" >&2
        exit 1
    fi
    "$py" "$peers" "$1" --host 127.0.0.1 --port "$2" >"$tmp/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        grep -q '^listening' "$tmp/server.log" && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "error: $1 on port $2 did not start:" >&2
    cat "$tmp/server.log" >&2
    exit 1
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

start_capture() {  # $1 = output, $2 = BPF filter
    tcpdump -i lo -U --immediate-mode -n -s 0 -w "$1" "$2" 2>"$tmp/tcpdump.log" &
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
    sleep 0.5  # let the last FIN/ACKs reach the capture (--immediate-mode: no 1 s buffer timeout)
    kill -INT "$tcpdump_pid"
    wait "$tcpdump_pid" || true
    tcpdump_pid=""
    grep -E 'packets (captured|dropped by kernel)' "$tmp/tcpdump.log" | sed 's/^/  tcpdump: /'
}

# capture NAME SERVER-CMD PORT FILTER CLIENT-CMD SCENARIO
capture() {
    local name=$1 server=$2 port=$3 filter=$4 client=$5 scenario=$6
    local out="$here/$name.pcap"
    echo "== $name -> pcaps/attacks/$name.pcap"
    start_server "$server" "$port"
    start_capture "$tmp/$name.pcap" "$filter"
    "$py" "$peers" "$client" --port "$port" --scenario "$scenario"
    stop_capture
    stop_server
    mv "$tmp/$name.pcap" "$out"
    chmod 644 "$out"
    capinfos -c -s "$out" | sed -n 's/^/  /; 2,$p'
}

what=${1:-all}
case $what in
all|modbus_unexpected_writer)
    capture modbus_unexpected_writer modbus-server 502 \
        'tcp port 502 and (host 127.0.0.2 or host 127.0.0.5)' modbus-client unexpected_writer ;;&
all|modbus_force_listen_only)
    capture modbus_force_listen_only modbus-server 502 \
        'tcp port 502 and host 127.0.0.5' modbus-client force_listen_only ;;&
all|modbus_recon_scan)
    capture modbus_recon_scan modbus-server 502 \
        'tcp port 502 and host 127.0.0.7' modbus-client recon_scan ;;&
all|dnp3_cold_restart)
    capture dnp3_cold_restart dnp3-outstation 20000 \
        'tcp port 20000 and host 127.0.0.5' dnp3-master restarts ;;
modbus_unexpected_writer|modbus_force_listen_only|modbus_recon_scan) ;;
*) echo "usage: $0 [all|modbus_unexpected_writer|modbus_force_listen_only|modbus_recon_scan|dnp3_cold_restart]" >&2
   exit 2 ;;
esac
