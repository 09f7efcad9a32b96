#!/bin/bash
# Issue 3, acceptance 5: `--workers 1` and `--workers N` write the same EVE records (as a
# multiset: records of different workers interleave in any order) for every capture given, by
# default every capture under ../shared/pcaps and pcaps/.
#
#   tests/pcap/compare_workers.sh OTSENTRY_BIN [N] [CAPTURE...]
#
# Exit 0 when all match, 1 when any differs (the first differing records are printed).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${OTSENTRY_SHARED_DIR:-$root/../shared}
bin=${1:?usage: $0 OTSENTRY_BIN [N] [CAPTURE...]}
workers=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
export TZ=UTC LC_ALL=C

if [ $# -gt 0 ]; then
    captures=("$@")
else
    mapfile -t captures < <(find "$shared/pcaps" "$root/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0 n=0 records=0
for cap in "${captures[@]}"; do
    n=$((n + 1))
    "$bin" replay "$cap" --workers 1 --eve "$work/one.json" --db '' -q 2>"$work/one.err"
    s1=$?
    "$bin" replay "$cap" --workers "$workers" --eve "$work/many.json" --db '' -q 2>"$work/many.err"
    s2=$?
    sort "$work/one.json" >"$work/one.sorted" 2>/dev/null || : >"$work/one.sorted"
    sort "$work/many.json" >"$work/many.sorted" 2>/dev/null || : >"$work/many.sorted"
    if [ $s1 != $s2 ] || ! cmp -s "$work/one.sorted" "$work/many.sorted"; then
        echo "DIFFERENT: $cap (exit $s1 vs $s2)"
        diff "$work/one.sorted" "$work/many.sorted" | head -6
        fail=1
    fi
    records=$((records + $(wc -l <"$work/one.sorted")))
    rm -f "$work/one.json" "$work/many.json"
done
echo "compared $n captures, $records records: --workers 1 and --workers $workers $([ $fail = 0 ] && echo identical || echo DIFFER)"
exit $fail
