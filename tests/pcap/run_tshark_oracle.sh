#!/bin/bash
# Replay captures of one protocol through otsentry and compare its PDUs with tshark's.
#
#   tests/pcap/run_tshark_oracle.sh PROTO OTSENTRY_BIN [CAPTURE...]     PROTO: modbus, iec104, dnp3, s7comm
#
# Without CAPTURE arguments: ../shared/pcaps/PROTO/* and pcaps/PROTO/*.pcap (Modbus also
# pcaps/demo/demo.pcap). The comparison is tshark_compare.py (Modbus) or
# tshark_compare_PROTO.py; what each compares and tolerates is in tests/pcap/README.md.
# Environment: TSHARK (default: tshark on PATH), ALLOW (default: tests/pcap/PROTO_tshark_allow.txt),
# KEEP=1 keeps the EVE files (printed). Exit 0 when every capture matches (explained differences
# allowed), 1 when any differs or otsentry fails, 2 for a usage error.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${OTSENTRY_SHARED_DIR:-$root/../shared}
proto=${1:?usage: $0 PROTO OTSENTRY_BIN [CAPTURE...]}
bin=${2:?usage: $0 PROTO OTSENTRY_BIN [CAPTURE...]}
shift 2
case $proto in
    modbus) compare=$here/tshark_compare.py ;;
    iec104 | dnp3 | s7comm) compare=$here/tshark_compare_$proto.py ;;
    *) echo "error: unknown protocol '$proto' (modbus, iec104, dnp3, s7comm)" >&2; exit 2 ;;
esac
[ -x "$bin" ] || { echo "error: $bin is not executable" >&2; exit 2; }
tshark=${TSHARK:-$(command -v tshark)}
allow=${ALLOW:-$here/${proto}_tshark_allow.txt}
py=/usr/bin/python3
export TZ=UTC LC_ALL=C

if [ $# -gt 0 ]; then
    captures=("$@")
else
    shopt -s nullglob
    captures=("$shared"/pcaps/"$proto"/* "$root"/pcaps/"$proto"/*.pcap)
    [ "$proto" = modbus ] && captures+=("$root"/pcaps/demo/demo.pcap)
fi

work=$(mktemp -d)
[ "${KEEP:-0}" = 1 ] && echo "keeping outputs in $work" || trap 'rm -rf "$work"' EXIT

allow_args=()
[ -f "$allow" ] && allow_args=(--allow "$allow")

fail=0
for cap in "${captures[@]}"; do
    [ -f "$cap" ] || continue
    name=$(basename "$cap")
    eve="$work/$name.eve.json"
    if ! "$bin" replay "$cap" --eve "$eve" --db '' -q >"$work/$name.log" 2>&1; then
        echo "$name: otsentry replay failed (status $?):"
        tail -5 "$work/$name.log" | sed 's/^/  /'
        fail=1
        continue
    fi
    "$py" "$compare" "$cap" "$eve" --tshark "$tshark" "${allow_args[@]}" || fail=1
done
exit $fail
