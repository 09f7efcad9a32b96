#!/bin/bash
# ICS throughput benchmark: otsentry replay vs. a bare libpcap read loop and tshark, on the same
# large generated DNP3 / IEC 60870-5-104 / S7comm capture, in one run.
#
#   bench/run_ics_bench.sh BUILD_DIR [--size-mb N] [--flows N] [--protocols LIST] [--seed N]
#                          [--repeat N] [--keep] [--runs LIST] [--no-tshark]
#                          [--callgrind PACKETS] [--callgrind-tshark PACKETS]
#
# BUILD_DIR must hold app/otsentry; bench/pcap_loop is built there if missing. The capture is
# generated once into bench/data/ (git-ignored) by gen_ics_capture.py (--size-mb 300,
# --flows 3000 split evenly over --protocols, default dnp3,iec104,s7comm), with the generator's
# summary (PDUs written per protocol) next to it as .json.
#
# Rows (--runs, comma list, default all):
#   loop       bench/pcap_loop F                  the bare libpcap read loop (the ceiling)
#   ots        otsentry replay F --db '' --eve OUT -q --workers 1
#   ts-fields  tshark -r F -n -o tcp.desegment_tcp_streams:TRUE -T fields -e frame.number
#                -e dnp3.al.func -e iec60870_104.type -e s7comm.header.rosctr > OUT
#              (every PDU dissected, one line per frame with a key field per protocol: the
#              closest analogue of our EVE output)
#   ts-q       tshark -r F -n -q    (as asked; NB: tshark dissects nothing with -q and no filter,
#              tap or output, so this row measures its file reading and frame bookkeeping)
#   ts-phs     tshark -r F -n -q -z io,phs   (full dissection with protocol trees, only a
#              protocol-hierarchy summary printed: tshark's dissection without per-PDU output)
# Each run is timed by /usr/bin/time -v (wall, CPU, peak RSS) after one untimed pcap_loop pass
# (file in the page cache); with --repeat N the fastest of N runs is kept. Events: otsentry's
# EVE records per protocol (and the PDUs inside them), tshark's PDUs per protocol from the
# fields output; both next to the generator's PDU counts. Results: a table on stdout and
# bench/results/ics-<UTC stamp>.md; EVE and fields files are deleted unless --keep.
# Without tshark on PATH (or with --no-tshark) the tshark rows are skipped and the report says so.
#
# --callgrind PACKETS: instead, instructions per packet under valgrind --tool=callgrind for
# pcap_loop and otsentry (EVE, no DB, workers 1) on a capture of about PACKETS packets
# (PACKETS/100 connections), also net of start-up (each program once more on the capture's first
# packet alone), and otsentry's top functions. tshark executes ~20x otsentry's instructions per
# packet (and 870 M to start), too slow under callgrind for a big capture, so it runs on a separate
# capture of --callgrind-tshark packets (default 20000, 0 to skip), next to pcap_loop and
# otsentry on that same small capture. Writes bench/results/ics-callgrind-<stamp>.md.
set -euo pipefail

usage() { sed -n '2,/^set -e/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd)
shift
size_mb=300
flows=3000
protocols=dnp3,iec104,s7comm
seed=1
repeat=1
keep=0
runs=loop,ots,ts-fields,ts-q,ts-phs
use_tshark=1
callgrind=0
cg_tshark=20000
while [ $# -gt 0 ]; do
    case $1 in
    --size-mb) size_mb=$2; shift 2 ;;
    --flows) flows=$2; shift 2 ;;
    --protocols) protocols=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --runs) runs=$2; shift 2 ;;
    --no-tshark) use_tshark=0; shift ;;
    --callgrind) callgrind=$2; shift 2 ;;
    --callgrind-tshark) cg_tshark=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
    esac
done

here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
export TZ=UTC LC_ALL=C
otsentry=$build/app/otsentry
loop=$build/bench/pcap_loop
report=$here/ics_report.py
[ -x "$otsentry" ] || { echo "error: $otsentry not found (build target otsentry first)" >&2; exit 1; }
if [ ! -x "$loop" ]; then
    cmake --build "$build" --target pcap_loop >/dev/null
fi
mkdir -p "$here/data" "$here/results"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
res=$here/results
# Scratch space under results/ (git-ignored), not /tmp: other jobs on a shared machine may clean /tmp.
tmp=$(mktemp -d "$res/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ptag=${protocols//,/-}

tshark=""
ts_note=""
if [ "$use_tshark" = 0 ]; then
    ts_note="tshark rows skipped (--no-tshark)"
elif ! command -v tshark >/dev/null; then
    ts_note="tshark rows skipped: tshark is not installed"
else
    tshark=$(command -v tshark)
fi
[ -z "$ts_note" ] || echo "NOTE: $ts_note" >&2
ts_fields=(-e frame.number -e dnp3.al.func -e iec60870_104.type -e s7comm.header.rosctr)

gen() {  # out, generator args...
    local out=$1
    shift
    if [ ! -s "$out" ]; then
        echo "generating $out ..." >&2
        "$py" "$here/gen_ics_capture.py" "$out.part" "$@" >"$out.json.part"
        mv "$out.part" "$out"
        sed "s|$out.part|$out|" "$out.json.part" >"$out.json" && rm -f "$out.json.part"
        cat "$out.json" >&2
    fi
}

host_line() {
    echo "host: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "otsentry: $otsentry ($(cd "$here/.." && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$here/.." && git diff --quiet 2>/dev/null || echo ', dirty tree')), build type $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt" 2>/dev/null)"
    echo "otsentry recognises, on a $protocols sample of one connection each: $(recognised)"
    if [ -n "$tshark" ]; then
        echo "tshark: $tshark ($(tshark --version 2>/dev/null | head -1))"
    else
        echo "tshark: none — $ts_note"
    fi
}

# recognised: which of the protocols this otsentry build dissects (the "flows:" line of its
# summary on a small generated capture, one connection per protocol).
recognised() {
    local n
    n=$(tr ',' '\n' <<<"$protocols" | grep -c .)
    "$py" "$here/gen_ics_capture.py" "$tmp/probe.pcap" --packets 200 --flows "$n" --protocols "$protocols" >/dev/null
    "$otsentry" replay "$tmp/probe.pcap" --db '' 2>&1 | sed -n 's/^ *flows: *[0-9,]* (tcp [0-9,]*, udp [0-9,]*\(.*\)).*/\1/p' |
        sed 's/^[ ,]*//; s/^$/none/'
}

quoted() { local out="" a; for a in "$@"; do out+="$(printf '%q' "$a") "; done; echo "${out% }"; }

# ------------------------------------------------------------------------------ callgrind mode
if [ "$callgrind" != 0 ]; then
    command -v valgrind >/dev/null || { echo "error: valgrind not installed" >&2; exit 1; }
    ir() { sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$1" | head -1; }
    first_packet() {  # CAPTURE OUT: a pcap holding the capture's first packet alone
        "$py" -c 'import struct,sys
with open(sys.argv[1],"rb") as f: h=f.read(24); r=f.read(16); d=f.read(struct.unpack("<IIII",r)[2])
open(sys.argv[2],"wb").write(h+r+d)' "$1" "$2"
    }
    : >"$tmp/cg.tsv"
    # cg_row KEY LABEL TAG CAPTURE CMD... (capture argument written @CAP@; stdout of the full run
    # goes to $tmp/out/stdout, for tshark's fields)
    cg_row() {
        local key=$1 label=$2 tag=$3 cap=$4 which c a capf ev="" cmdline="" packets
        shift 4
        packets=$("$loop" "$cap" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["packets"])')
        first_packet "$cap" "$tmp/first-$tag.pcap"
        for which in full first; do
            capf=$cap
            [ $which = full ] || capf=$tmp/first-$tag.pcap
            c=()
            for a in "$@"; do c+=("${a//@CAP@/$capf}"); done
            rm -rf "$tmp/out" && mkdir -p "$tmp/out"
            echo "  callgrind: $label, $tag ($which capture) ..." >&2
            if ! valgrind --tool=callgrind --callgrind-out-file="$tmp/$key-$tag.$which.cg" "${c[@]}" \
                >"$tmp/out/stdout" 2>"$tmp/$key-$tag.$which.vg"; then
                echo "error: $label under callgrind failed:" >&2
                tail -20 "$tmp/$key-$tag.$which.vg" >&2
                return 1
            fi
            if [ $which = full ]; then
                if [ -s "$tmp/out/eve.json" ]; then
                    ev=$("$py" "$report" count-eve "$tmp/out/eve.json" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["records"])')
                elif [ "$key" = ts-fields ]; then
                    ev=$("$py" "$report" count-tshark "$tmp/out/stdout" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["records"])')
                fi
                cmdline=$(quoted "${c[@]}")
                [ "$key" != ts-fields ] || cmdline+=" > OUT/fields.tsv"
            fi
        done
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$tag" "$packets" "$(ir "$tmp/$key-$tag.full.cg")" \
            "$(ir "$tmp/$key-$tag.first.cg")" "$ev" "${cmdline//$tmp\/out/OUT}" >>"$tmp/cg.tsv"
    }
    ots_cmd=("$otsentry" replay @CAP@ --db '' --eve "$tmp/out/eve.json" -q --workers 1)
    cap=$here/data/ics-${ptag}-${callgrind}pk-f$((callgrind / 100 > 3 ? callgrind / 100 : 3))-s$seed.pcap
    gen "$cap" --packets "$callgrind" --flows $((callgrind / 100 > 3 ? callgrind / 100 : 3)) --protocols "$protocols" --seed "$seed"
    tagA="${callgrind} pk"
    cg_row loop "pcap_loop" "$tagA" "$cap" "$loop" @CAP@
    cg_row ots "otsentry --db '' --eve F -q, workers 1" "$tagA" "$cap" "${ots_cmd[@]}" || exit 1
    capB=""
    if [ -n "$tshark" ] && [ "$cg_tshark" != 0 ]; then
        capB=$here/data/ics-${ptag}-${cg_tshark}pk-f$((cg_tshark / 100 > 3 ? cg_tshark / 100 : 3))-s$seed.pcap
        gen "$capB" --packets "$cg_tshark" --flows $((cg_tshark / 100 > 3 ? cg_tshark / 100 : 3)) --protocols "$protocols" --seed "$seed"
        tagB="${cg_tshark} pk"
        if [ "$capB" != "$cap" ]; then
            cg_row loop "pcap_loop" "$tagB" "$capB" "$loop" @CAP@
            cg_row ots "otsentry --db '' --eve F -q, workers 1" "$tagB" "$capB" "${ots_cmd[@]}" || exit 1
        fi
        cg_row ts-fields "tshark -T fields (4 fields)" "$tagB" "$capB" "$tshark" -r @CAP@ -n -o tcp.desegment_tcp_streams:TRUE -T fields "${ts_fields[@]}" ||
            echo "warning: tshark -T fields under callgrind failed" >&2
        cg_row ts-phs "tshark -q -z io,phs" "$tagB" "$capB" "$tshark" -r @CAP@ -n -q -z io,phs ||
            echo "warning: tshark -z io,phs under callgrind failed" >&2
    fi
    out=$res/ics-callgrind-$stamp.md
    {
        echo "# callgrind: instructions per packet, $protocols ($stamp)"
        echo
        host_line
        echo "capture: $cap"
        [ -z "$capB" ] || echo "tshark capture: $capB"
        [ -z "$ts_note" ] || { echo; echo "**$ts_note**"; }
        echo
        "$py" "$report" callgrind "$tmp/cg.tsv"
        echo
        echo "Top functions of otsentry ($tagA capture) by self cost (callgrind_annotate):"
        echo
        echo '```'
        { callgrind_annotate "$tmp/ots-$tagA.full.cg" 2>/dev/null | sed -n '/^Ir/,$p' | head -40; } || true
        echo '```'
        echo
        echo "The same profile by inclusive cost:"
        echo
        echo '```'
        { callgrind_annotate --inclusive=yes "$tmp/ots-$tagA.full.cg" 2>/dev/null | sed -n '/^Ir/,$p' |
            awk '{ f = $0; sub(/^[^)]*\) +[^:]*:/, "", f); sub(/ \[[^]]*\]$/, "", f); if (f == $0 || !seen[f]++) print }' | head -50; } || true
        echo '```'
        if [ -s "$tmp/ts-fields-${tagB:-x}.full.cg" ]; then
            echo
            echo "Top functions of tshark -T fields ($tagB capture) by self cost:"
            echo
            echo '```'
            { callgrind_annotate "$tmp/ts-fields-$tagB.full.cg" 2>/dev/null | sed -n '/^Ir/,$p' | head -25; } || true
            echo '```'
        fi
    } >"$out"
    if [ "$keep" = 1 ]; then
        for f in "$tmp"/*.full.cg; do cp "$f" "$res/ics-callgrind-$stamp.$(basename "$f" .full.cg | tr ' ' '_').out"; done
    fi
    cat "$out"
    echo "written: $out"
    exit 0
fi

# ------------------------------------------------------------------------------ timed runs
want() { case ",$runs," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
: >"$tmp/rows.tsv"
# run_row KEY LABEL OUTFILE COUNT CMD...: runs CMD --repeat times under /usr/bin/time -v (stdout
# to OUTFILE when COUNT is "tshark", else to the log), keeps the fastest, counts its output
# (COUNT: eve = OUTFILE is otsentry's EVE, tshark = OUTFILE is the fields output, "" none) and
# appends a line to rows.tsv. Returns 1 when the command fails.
run_row() {
    local key=$1 label=$2 outf=$3 count=$4 best="" i wall rss rss_max=0 stdout t0 t1
    shift 4
    for i in $(seq "$repeat"); do
        [ -z "$outf" ] || rm -f "$outf"
        stdout=$tmp/$key.$i.out
        [ "$count" != tshark ] || stdout=$outf
        t0=$(date +%s%N)
        if ! /usr/bin/time -v -o "$tmp/$key.$i.time" "$@" >"$stdout" 2>"$tmp/$key.$i.err"; then
            echo "error: $label failed:" >&2
            tail -20 "$tmp/$key.$i.err" >&2
            return 1
        fi
        t1=$(date +%s%N)
        # wall time in ns from date (/usr/bin/time rounds to 10 ms, too coarse for pcap_loop)
        wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/$key.$i.time")
        if [ "$rss" -gt "$rss_max" ]; then rss_max=$rss; fi
        echo "  $label, run $i: $wall s, peak RSS $((rss / 1024)) MiB" >&2
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall
            local ob=0 cfile=""
            if [ -n "$outf" ] && [ -s "$outf" ]; then
                ob=$(stat -c %s "$outf")
                cfile=$tmp/$key.counts.json
                case $count in
                eve) "$py" "$report" count-eve "$outf" >"$cfile" ;;
                tshark) "$py" "$report" count-tshark "$outf" >"$cfile" ;;
                *) cfile="" ;;
                esac
            fi
            cp "$tmp/$key.$i.time" "$tmp/$key.time"
            { [ "$count" = tshark ] || cat "$tmp/$key.$i.out"; cat "$tmp/$key.$i.err"; } >"$tmp/$key.log"
            local cmdline
            cmdline=$(quoted "$@")
            [ "$count" != tshark ] || cmdline+=" > F.tsv"
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s' "$key" "$label" "$tmp/$key.time" "$cfile" "$ob" "$tmp/$key.log" \
                "${cmdline//$res\//}" >"$tmp/$key.row"
            echo "$wall" >"$tmp/$key.wall"
        fi
        rm -f "$tmp/$key.$i.out"
    done
    printf '%s\t%s\t%s\n' "$(cat "$tmp/$key.row")" "$rss_max" "$(cat "$tmp/$key.wall")" >>"$tmp/rows.tsv"
    if [ "$keep" != 1 ] && [ -n "$outf" ]; then rm -f "$outf"; fi
}

cap=$here/data/ics-${ptag}-${size_mb}mb-f$flows-s$seed.pcap
gen "$cap" --size-mb "$size_mb" --flows "$flows" --protocols "$protocols" --seed "$seed"
"$loop" "$cap" >"$tmp/warm.json"  # page cache warm-up, untimed

eve=$res/ics-$stamp.eve.json
tsv=$res/ics-$stamp.fields.tsv
echo "running on $cap ($runs) ..." >&2
if want loop; then run_row loop "pcap_loop" "" "" "$loop" "$cap"; fi
if want ots; then
    run_row ots "otsentry replay --db '' --eve F -q, workers 1" "$eve" eve \
        "$otsentry" replay "$cap" --db '' --eve "$eve" -q --workers 1 || exit 1
fi
if [ -n "$tshark" ]; then
    if want ts-fields; then
        run_row ts-fields "tshark -T fields (frame + 3 key fields)" "$tsv" tshark \
            "$tshark" -r "$cap" -n -o tcp.desegment_tcp_streams:TRUE -T fields "${ts_fields[@]}" ||
            echo "warning: tshark -T fields failed; its row is missing" >&2
    fi
    if want ts-q; then
        run_row ts-q "tshark -q (no dissection, see notes)" "" "" "$tshark" -r "$cap" -n -q ||
            echo "warning: tshark -q failed; its row is missing" >&2
    fi
    if want ts-phs; then
        run_row ts-phs "tshark -q -z io,phs (dissection, summary only)" "" "" "$tshark" -r "$cap" -n -q -z io,phs ||
            echo "warning: tshark -z io,phs failed; its row is missing" >&2
    fi
fi

out=$res/ics-$stamp.md
{
    echo "# ICS replay benchmark: $protocols ($stamp)"
    echo
    host_line
    echo "capture: $cap ($(stat -c %s "$cap") bytes on disk; gen_ics_capture.py --size-mb $size_mb --flows $flows --protocols $protocols --seed $seed)"
    echo "best of $repeat run(s), file in page cache"
    [ -z "$ts_note" ] || { echo; echo "**$ts_note**"; }
    echo
    "$py" "$report" table "$tmp/warm.json" "$cap.json" "$tmp/rows.tsv"
} >"$out"
cat "$out"
echo "written: $out"
