#!/bin/bash
# Replay every IEC 104 capture through otsentry and compare its APDUs with tshark's.
#
#   tests/pcap/run_iec104_tshark.sh OTSENTRY_BIN [CAPTURE...]
#
# Without CAPTURE arguments: ../shared/pcaps/iec104/* and pcaps/iec104/*.pcap.
# Environment: TSHARK (default: tshark on PATH), ALLOW (default: tests/pcap/iec104_tshark_allow.txt),
# KEEP=1 keeps the EVE files (printed). Exit 0 when every capture matches (explained
# differences allowed), 1 when any differs or otsentry fails.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${OTSENTRY_SHARED_DIR:-$root/../shared}
bin=${1:?usage: $0 OTSENTRY_BIN [CAPTURE...]}
shift
[ -x "$bin" ] || { echo "error: $bin is not executable" >&2; exit 2; }
tshark=${TSHARK:-$(command -v tshark)}
allow=${ALLOW:-$here/iec104_tshark_allow.txt}
py=/usr/bin/python3
export TZ=UTC LC_ALL=C

if [ $# -gt 0 ]; then
    captures=("$@")
else
    shopt -s nullglob
    captures=("$shared"/pcaps/iec104/* "$root"/pcaps/iec104/*.pcap)
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
    if ! "$bin" replay "$cap" --eve "$eve" --db '' >"$work/$name.log" 2>&1; then
        echo "$name: otsentry replay failed (status $?):"
        tail -5 "$work/$name.log" | sed 's/^/  /'
        fail=1
        continue
    fi
    "$py" "$here/tshark_compare_iec104.py" "$cap" "$eve" --tshark "$tshark" "${allow_args[@]}" || fail=1
done
exit $fail
