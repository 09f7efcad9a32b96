#!/bin/bash
# Replay benchmark: otsentry replay vs. a bare libpcap read loop on the same large capture.
#
#   bench/run_replay_bench.sh BUILD_DIR [--size-mb N] [--flows N] [--seed N] [--repeat N]
#                             [--keep] [--otsentry-args "ARGS"] [--callgrind PACKETS]
#
# BUILD_DIR must hold app/otsentry; bench/pcap_loop is built there if missing.
# The capture is generated once into bench/data/ (git-ignored) by gen_modbus_capture.py.
# Each program runs under /usr/bin/time -v (wall time, CPU, peak RSS), after one untimed
# pcap_loop pass so both read the file from the page cache; with --repeat N the fastest of
# N runs is kept. Results: a table on stdout and bench/results/replay-<UTC stamp>.md.
# otsentry's EVE and DB go to bench/results/ and are deleted afterwards unless --keep.
#
# --callgrind PACKETS: instead, generate a small capture of about PACKETS packets and run
# both programs under valgrind --tool=callgrind; reports instructions per packet (Ir/packet).
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd)
shift
size_mb=1100
flows=20000
seed=1
repeat=1
keep=0
callgrind=0
otsentry_args=""
while [ $# -gt 0 ]; do
    case $1 in
    --size-mb) size_mb=$2; shift 2 ;;
    --flows) flows=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --callgrind) callgrind=$2; shift 2 ;;
    --otsentry-args) otsentry_args=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
    esac
done

here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
export TZ=UTC LC_ALL=C
otsentry=$build/app/otsentry
loop=$build/bench/pcap_loop
[ -x "$otsentry" ] || { echo "error: $otsentry not found (build target otsentry first)" >&2; exit 1; }
if [ ! -x "$loop" ]; then
    cmake --build "$build" --target pcap_loop >/dev/null
fi
mkdir -p "$here/data" "$here/results"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
res=$here/results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {  # out, generator args...
    local out=$1
    shift
    if [ ! -s "$out" ]; then
        echo "generating $out ..." >&2
        "$py" "$here/gen_modbus_capture.py" "$out.part" "$@" >&2
        mv "$out.part" "$out"
    fi
}

host_line() {
    echo "host: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "otsentry: $otsentry ($(cd "$here/.." && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$here/.." && git diff --quiet 2>/dev/null || echo ', dirty tree')), build type $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null)"
}

if [ "$callgrind" != 0 ]; then
    command -v valgrind >/dev/null || { echo "error: valgrind not installed" >&2; exit 1; }
    cap=$here/data/modbus-${callgrind}pk-f2000-s$seed.pcap
    gen "$cap" --packets "$callgrind" --flows 2000 --seed "$seed"
    packets=$("$loop" "$cap" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["packets"])')
    valgrind --tool=callgrind --callgrind-out-file="$tmp/loop.cg" "$loop" "$cap" >/dev/null 2>"$tmp/loop.vg"
    # shellcheck disable=SC2086
    valgrind --tool=callgrind --callgrind-out-file="$tmp/ots.cg" "$otsentry" replay "$cap" \
        --eve "$tmp/eve.json" --db "$tmp/bench.db" $otsentry_args >/dev/null 2>"$tmp/ots.vg" || {
        echo "error: otsentry under callgrind failed:" >&2; tail -20 "$tmp/ots.vg" >&2; exit 1; }
    ir() { sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$1" | head -1; }
    out=$res/callgrind-$stamp.md
    {
        echo "# callgrind: instructions per packet ($stamp)"
        echo
        host_line
        echo "capture: $cap ($packets packets)"
        echo
        "$py" - "$packets" "$(ir "$tmp/loop.cg")" "$(ir "$tmp/ots.cg")" <<'EOF'
import sys
n, loop_ir, ots_ir = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print("| program | total Ir | Ir/packet |")
print("|---|---:|---:|")
print(f"| pcap_loop | {loop_ir:,} | {loop_ir / n:,.0f} |")
print(f"| otsentry replay | {ots_ir:,} | {ots_ir / n:,.0f} |")
print(f"| otsentry minus loop | {ots_ir - loop_ir:,} | {(ots_ir - loop_ir) / n:,.0f} |")
EOF
        echo
        echo "Top functions of otsentry by self cost (callgrind_annotate):"
        echo
        echo '```'
        { callgrind_annotate "$tmp/ots.cg" 2>/dev/null | sed -n '/^Ir/,$p' | head -30; } || true
        echo '```'
    } >"$out"
    if [ "$keep" = 1 ]; then cp "$tmp/ots.cg" "$res/callgrind-$stamp.otsentry.out"; fi
    cat "$out"
    echo "written: $out"
    exit 0
fi

cap=$here/data/modbus-${size_mb}mb-f$flows-s$seed.pcap
gen "$cap" --size-mb "$size_mb" --flows "$flows" --seed "$seed"
"$loop" "$cap" >"$tmp/warm.json"  # page cache warm-up, untimed

eve=$res/replay-$stamp.eve.json
db=$res/replay-$stamp.db
best_run() {  # name, command...
    local name=$1 best=""
    shift
    for i in $(seq "$repeat"); do
        rm -f "$eve" "$db" "$db"-wal "$db"-shm
        if ! /usr/bin/time -v -o "$tmp/$name.$i.time" "$@" >"$tmp/$name.$i.out" 2>"$tmp/$name.$i.err"; then
            echo "error: $name failed:" >&2
            tail -20 "$tmp/$name.$i.err" >&2
            exit 1
        fi
        local wall
        wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$tmp/$name.$i.time")
        echo "  $name run $i: $wall" >&2
        if [ -z "$best" ] || "$py" -c "import sys
def s(t):
    p=[float(x) for x in t.split(':')]
    return sum(v*60**i for i,v in enumerate(reversed(p)))
sys.exit(0 if s('$wall') < s('$best') else 1)"; then
            best=$wall
            cp "$tmp/$name.$i.time" "$tmp/$name.time"
            cp "$tmp/$name.$i.out" "$tmp/$name.out"
            cp "$tmp/$name.$i.err" "$tmp/$name.err"
        fi
    done
}
echo "running pcap_loop and otsentry replay on $cap ..." >&2
best_run loop "$loop" "$cap"
# shellcheck disable=SC2086
best_run otsentry "$otsentry" replay "$cap" --eve "$eve" --db "$db" $otsentry_args
eve_bytes=$(stat -c %s "$eve" 2>/dev/null || echo 0)
eve_lines=$(wc -l <"$eve" 2>/dev/null || echo 0)
db_bytes=$(stat -c %s "$db" 2>/dev/null || echo 0)

out=$res/replay-$stamp.md
{
    echo "# replay benchmark ($stamp)"
    echo
    host_line
    echo "capture: $cap ($(stat -c %s "$cap") bytes on disk; generated with --size-mb $size_mb --flows $flows --seed $seed)"
    echo "command: $otsentry replay CAPTURE --eve $eve --db $db $otsentry_args"
    echo "best of $repeat run(s), file in page cache"
    echo
    "$py" - "$tmp/warm.json" "$tmp/loop.time" "$tmp/otsentry.time" "$eve_bytes" "$eve_lines" "$db_bytes" <<'EOF'
import json, sys
counts = json.load(open(sys.argv[1]))
pk, by = counts["packets"], counts["bytes"]

def parse(path):
    d = {}
    for line in open(path):
        k, _, v = line.strip().rpartition(": ")
        d[k] = v
    w = [float(x) for x in d["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")]
    wall = sum(v * 60 ** i for i, v in enumerate(reversed(w)))
    cpu = float(d["User time (seconds)"]) + float(d["System time (seconds)"])
    return wall, cpu, int(d["Maximum resident set size (kbytes)"]) / 1024

rows = [("pcap_loop", *parse(sys.argv[2])), ("otsentry replay", *parse(sys.argv[3]))]
print(f"packets: {pk:,}   captured bytes: {by:,}   average {by / pk:.0f} bytes/packet")
print()
print("| program | wall s | CPU s | packets/s | Gbit/s | peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|")
for name, wall, cpu, rss in rows:
    wall = max(wall, 1e-3)
    print(f"| {name} | {wall:.2f} | {cpu:.2f} | {pk / wall:,.0f} | {by * 8 / wall / 1e9:.3f} | {rss:,.1f} |")
(lw, lc, lr), (ow, oc, orss) = rows[0][1:], rows[1][1:]
print()
print(f"otsentry / loop: wall x{ow / max(lw, 1e-3):.1f}, CPU x{oc / max(lc, 1e-3):.1f}, "
      f"peak RSS x{orss / max(lr, 1e-3):.1f}")
print(f"otsentry per packet: {ow / pk * 1e9:,.0f} ns wall, {oc / pk * 1e9:,.0f} ns CPU "
      f"(CPU counts all threads)")
print(f"EVE written: {int(sys.argv[4]):,} bytes, {int(sys.argv[5]):,} lines; DB: {int(sys.argv[6]):,} bytes")
EOF
    echo
    echo "otsentry stdout/stderr (last lines):"
    echo
    echo '```'
    tail -5 "$tmp/otsentry.out"
    tail -5 "$tmp/otsentry.err"
    echo '```'
} >"$out"
if [ "$keep" != 1 ]; then rm -f "$eve" "$db" "$db"-wal "$db"-shm; fi
cat "$out"
echo "written: $out"
