#!/bin/bash
# Replay benchmark: otsentry replay vs. a bare libpcap read loop and Suricata 7, on the same
# large generated capture.
#
#   bench/run_replay_bench.sh BUILD_DIR [--size-mb N] [--flows N] [--seed N] [--repeat N] [--keep]
#                             [--runs LIST] [--workers N] [--otsentry-args "ARGS"] [--no-suricata]
#                             [--callgrind PACKETS] [--concurrent FLOWS]
#
# BUILD_DIR must hold app/otsentry; bench/pcap_loop is built there if missing. Captures are
# generated once into bench/data/ (git-ignored) by gen_modbus_capture.py.
#
# Default mode, side by side on the --size-mb capture (1100 MiB, 20 000 Modbus connections),
# rows chosen by --runs (comma list, default all but custom):
#   loop      bench/pcap_loop, the bare libpcap read loop (the ceiling of any reader)
#   eve-w1    otsentry replay --db '' --eve F --workers 1
#   eve-wN    otsentry replay --db '' --eve F --workers N   (N from --workers, default 2)
#   db-w1     otsentry replay --db D --eve F --workers 1    (the default: every event stored)
#   suri-1    suricata -r F -k none --runmode single  (config bench/suricata-bench.yaml, no rules)
#   suri-af   suricata -r F -k none                   (default autofp runmode, same config)
#   custom    otsentry replay --eve F --db D ARGS, with ARGS from --otsentry-args (added to the
#             rows when --otsentry-args is given; ARGS may override --eve/--db/--workers and are
#             parsed with shell quoting, so --otsentry-args "--db ''" means no database)
# Each run is timed by /usr/bin/time -v (wall, CPU, peak RSS), after one untimed pcap_loop pass
# so every program reads the file from the page cache; with --repeat N the fastest of N runs is
# kept (the concurrent mode reports the largest peak RSS of the N runs instead). Modbus events
# are counted in each program's EVE output. Results: a table on stdout and
# bench/results/replay-<UTC stamp>.md. EVE files, DBs and Suricata logs go to bench/results/
# and are deleted after counting unless --keep. Without a suricata >= 7 on PATH (see
# scripts/install-deps) or with --no-suricata the Suricata rows are skipped, and the report says so.
#
# --callgrind PACKETS: instead, on a capture of about PACKETS packets (2 000 Modbus
# connections), run pcap_loop, otsentry (EVE, no DB; EVE + DB; EVE, no DB, 2 workers) and
# Suricata (single runmode) under valgrind --tool=callgrind; reports instructions per packet,
# also net of start-up (each program run once more on the capture's first packet alone), and
# otsentry's top functions. Writes bench/results/callgrind-<stamp>.md.
#
# --concurrent FLOWS: instead, peak memory with FLOWS Modbus connections open at once (capture
# of FLOWS*16 packets), against a 1 000-connection capture of the same packet count; otsentry
# with its default caps. Rows (--runs): loop, none-w1 (no sink), eve-w1, eve-wN, db-w1, custom,
# suri-1, suri-af (Suricata's default memcaps) and suri-1-big (flow/stream memcaps raised to
# 1 GiB, so Suricata keeps every flow). Writes bench/results/concurrent-<stamp>.md.
set -euo pipefail

usage() { sed -n '2,/^set -e/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd)
shift
size_mb=1100
flows=20000
seed=1
repeat=1
keep=0
callgrind=0
concurrent=0
workers_n=2
runs=""
use_suricata=1
otsentry_args=""
have_custom=0
while [ $# -gt 0 ]; do
    case $1 in
    --size-mb) size_mb=$2; shift 2 ;;
    --flows) flows=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --callgrind) callgrind=$2; shift 2 ;;
    --concurrent) concurrent=$2; shift 2 ;;
    --workers) workers_n=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --no-suricata) use_suricata=0; shift ;;
    --otsentry-args) otsentry_args=$2; have_custom=1; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
    esac
done
# ARGS as the shell would split them: "--db ''" gives the two words --db and the empty string.
extra_args=()
eval "extra_args=($otsentry_args)"

here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
export TZ=UTC LC_ALL=C
otsentry=$build/app/otsentry
loop=$build/bench/pcap_loop
report=$here/replay_report.py
suri_yaml=$here/suricata-bench.yaml
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

# ------------------------------------------------------------------------------ Suricata
suricata=""
suri_note=""
if [ "$use_suricata" = 0 ]; then
    suri_note="Suricata rows skipped (--no-suricata)"
elif ! command -v suricata >/dev/null; then
    suri_note="Suricata rows skipped: suricata is not installed (scripts/install-deps installs Suricata 7 from bookworm-backports)"
else
    suri_ver=$(suricata -V 2>/dev/null | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p' | head -1)
    if [ "${suri_ver%%.*}" -ge 7 ] 2>/dev/null; then
        suricata=$(command -v suricata)
    else
        suri_note="Suricata rows skipped: $(command -v suricata) is version ${suri_ver:-unknown}, not 7 or later (scripts/install-deps installs 7 from bookworm-backports)"
    fi
fi
if [ -n "$suri_note" ]; then
    echo "NOTE: $suri_note" >&2
fi

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
    if [ -n "$suricata" ]; then
        echo "suricata: $suricata ($(suricata -V 2>/dev/null | head -1)), config bench/suricata-bench.yaml"
    else
        echo "suricata: none — $suri_note"
    fi
}

# ots_argv CAPTURE WORKERS EVE DB [ARGS...]: sets cmd to an otsentry replay command line. EVE ""
# means no EVE file; DB "" means --db '' (no database). ARGS naming --eve, --db or --workers
# replace the corresponding default (CLI11 rejects an option given twice).
ots_argv() {
    local cap=$1 w=$2 evef=$3 dbf=$4 a has_eve=0 has_db=0 has_w=0
    shift 4
    for a in "$@"; do
        case $a in
        --eve|--eve=*) has_eve=1 ;;
        --db|--db=*) has_db=1 ;;
        --workers|--workers=*) has_w=1 ;;
        esac
    done
    cmd=("$otsentry" replay "$cap")
    if [ $has_eve = 0 ] && [ -n "$evef" ]; then cmd+=(--eve "$evef"); fi
    if [ $has_db = 0 ]; then cmd+=(--db "$dbf"); fi
    if [ $has_w = 0 ]; then cmd+=(--workers "$w"); fi
    cmd+=("$@")
}

suri_argv() {  # CAPTURE LOGDIR single|autofp|single-big
    cmd=("$suricata" -c "$suri_yaml" -S /dev/null -k none -l "$2" -r "$1")
    if [ "$3" != autofp ]; then cmd+=(--runmode single); fi
    # Suricata's default memcaps (flow 32 MiB, stream 64 MiB) are too small for 100 000 flows.
    # shellcheck disable=SC2206
    if [ "$3" = single-big ]; then cmd+=($suri_big_caps); fi
}
suri_big_caps="--set flow.memcap=1gb --set stream.memcap=1gb --set stream.reassembly.memcap=1gb"

quoted() { local out="" a; for a in "$@"; do out+="$(printf '%q' "$a") "; done; echo "${out% }"; }
wall_s() { sed -n 's/.*Elapsed (wall clock) time.*: //p' "$1" | awk -F: '{s=0; for(i=1;i<=NF;i++) s=s*60+$i; print s}'; }

# ------------------------------------------------------------------------------ callgrind mode
if [ "$callgrind" != 0 ]; then
    command -v valgrind >/dev/null || { echo "error: valgrind not installed" >&2; exit 1; }
    cap=$here/data/modbus-${callgrind}pk-f2000-s$seed.pcap
    gen "$cap" --packets "$callgrind" --flows 2000 --seed "$seed"
    packets=$("$loop" "$cap" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["packets"])')
    # The capture's first packet alone: start-up and shutdown cost (Suricata refuses a capture
    # without packets).
    first=$tmp/first.pcap
    "$py" -c 'import struct,sys
with open(sys.argv[1],"rb") as f: h=f.read(24); r=f.read(16); d=f.read(struct.unpack("<IIII",r)[2])
open(sys.argv[2],"wb").write(h+r+d)' "$cap" "$first"
    ir() { sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$1" | head -1; }
    : >"$tmp/cg.tsv"
    # cg_row KEY LABEL CMD... (the command's capture argument is written @CAP@)
    cg_row() {
        local key=$1 label=$2 which c a capf ev=0 cmdline=""
        shift 2
        for which in full first; do
            capf=$cap
            [ $which = full ] || capf=$first
            c=()
            for a in "$@"; do c+=("${a//@CAP@/$capf}"); done
            rm -rf "$tmp/out" && mkdir -p "$tmp/out"
            echo "  callgrind: $label ($which capture) ..." >&2
            if ! valgrind --tool=callgrind --callgrind-out-file="$tmp/$key.$which.cg" "${c[@]}" \
                >"$tmp/$key.$which.out" 2>"$tmp/$key.$which.vg"; then
                echo "error: $label under callgrind failed:" >&2
                tail -20 "$tmp/$key.$which.vg" >&2
                return 1
            fi
            if [ $which = full ]; then
                if [ -s "$tmp/out/eve.json" ]; then ev=$(grep -c '"event_type":"modbus"' "$tmp/out/eve.json" || true); fi
                cmdline=$(quoted "${c[@]}")
            fi
        done
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$(ir "$tmp/$key.full.cg")" "$ev" \
            "$(ir "$tmp/$key.first.cg")" "${cmdline//$tmp\/out/OUT}" >>"$tmp/cg.tsv"
    }
    cg_row loop "pcap_loop" "$loop" @CAP@
    ots_argv @CAP@ 1 "$tmp/out/eve.json" ""
    cg_row ots-eve "otsentry, EVE, no DB, workers 1" "${cmd[@]}" || exit 1
    ots_argv @CAP@ 1 "$tmp/out/eve.json" "$tmp/out/bench.db"
    cg_row ots-db "otsentry, EVE + SQLite, workers 1" "${cmd[@]}" || exit 1
    ots_argv @CAP@ "$workers_n" "$tmp/out/eve.json" ""
    cg_row ots-eve-w "otsentry, EVE, no DB, workers $workers_n" "${cmd[@]}" || exit 1
    if [ "$have_custom" = 1 ]; then
        ots_argv @CAP@ 1 "$tmp/out/eve.json" "$tmp/out/bench.db" "${extra_args[@]}"
        cg_row custom "otsentry $otsentry_args" "${cmd[@]}" || exit 1
    fi
    if [ -n "$suricata" ]; then
        suri_argv @CAP@ "$tmp/out" single
        cg_row suri-1 "Suricata $suri_ver, single runmode" "${cmd[@]}" ||
            echo "warning: Suricata under callgrind failed; its row is missing" >&2
    fi
    out=$res/callgrind-$stamp.md
    {
        echo "# callgrind: instructions per packet ($stamp)"
        echo
        host_line
        echo "capture: $cap ($packets packets)"
        [ -z "$suri_note" ] || { echo; echo "**$suri_note**"; }
        echo
        "$py" "$report" callgrind "$packets" "$tmp/cg.tsv"
        echo
        echo "Top functions of otsentry (EVE, no DB, workers 1) by self cost (callgrind_annotate):"
        echo
        echo '```'
        { callgrind_annotate "$tmp/ots-eve.full.cg" 2>/dev/null | sed -n '/^Ir/,$p' | head -40; } || true
        echo '```'
        echo
        echo "The same profile by inclusive cost:"
        echo
        echo '```'
        # callgrind_annotate lists some functions twice (relative and absolute source path): keep
        # the first line of each function.
        { callgrind_annotate --inclusive=yes "$tmp/ots-eve.full.cg" 2>/dev/null | sed -n '/^Ir/,$p' |
            awk '{ f = $0; sub(/^[^)]*\) +[^:]*:/, "", f); sub(/ \[[^]]*\]$/, "", f); if (f == $0 || !seen[f]++) print }' | head -45; } || true
        echo '```'
        if [ -s "$tmp/suri-1.full.cg" ]; then
            echo
            echo "Top functions of Suricata (single runmode) by self cost:"
            echo
            echo '```'
            { callgrind_annotate "$tmp/suri-1.full.cg" 2>/dev/null | sed -n '/^Ir/,$p' | head -25; } || true
            echo '```'
        fi
    } >"$out"
    if [ "$keep" = 1 ]; then
        for k in ots-eve ots-db ots-eve-w suri-1; do
            if [ -s "$tmp/$k.full.cg" ]; then cp "$tmp/$k.full.cg" "$res/callgrind-$stamp.$k.out"; fi
        done
    fi
    cat "$out"
    echo "written: $out"
    exit 0
fi

# ------------------------------------------------------------------------------ timed runs
: >"$tmp/rows.tsv"
# run_row KEY LABEL CAPTURE_TAG EVE_FILE DB_FILE SURI_LOGDIR CMD...: runs CMD --repeat times under
# /usr/bin/time -v, keeps the fastest, counts the Modbus events in its EVE output (EVE_FILE, or
# SURI_LOGDIR/eve.json) and appends a line to rows.tsv. Returns 1 when the command fails.
run_row() {
    local key=$1 label=$2 tag=$3 evef=$4 dbf=$5 slog=$6 best="" i wall rss rss_max=0
    shift 6
    local eve_out=$evef
    [ -z "$slog" ] || eve_out=$slog/eve.json
    for i in $(seq "$repeat"); do
        [ -z "$evef" ] || rm -f "$evef"
        [ -z "$dbf" ] || rm -f "$dbf" "$dbf"-wal "$dbf"-shm
        [ -z "$slog" ] || { rm -rf "$slog"; mkdir -p "$slog"; }
        if ! /usr/bin/time -v -o "$tmp/$key.$i.time" "$@" >"$tmp/$key.$i.out" 2>"$tmp/$key.$i.err"; then
            echo "error: $label failed:" >&2
            tail -20 "$tmp/$key.$i.err" >&2
            return 1
        fi
        wall=$(wall_s "$tmp/$key.$i.time")
        rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/$key.$i.time")
        if [ "$rss" -gt "$rss_max" ]; then rss_max=$rss; fi
        echo "  $label, run $i: $wall s, peak RSS $((rss / 1024)) MiB" >&2
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall
            local ev=0 al=0 eb=0 db_b=0
            if [ -n "$eve_out" ] && [ -s "$eve_out" ]; then
                ev=$(grep -c '"event_type":"modbus"' "$eve_out" || true)
                al=$(grep -c '"event_type":"alert"' "$eve_out" || true)
                eb=$(stat -c %s "$eve_out")
            fi
            if [ -n "$dbf" ] && [ -s "$dbf" ]; then db_b=$(stat -c %s "$dbf"); fi
            cp "$tmp/$key.$i.time" "$tmp/$key.time"
            cat "$tmp/$key.$i.out" "$tmp/$key.$i.err" >"$tmp/$key.log"
            if [ -n "$slog" ] && [ -s "$slog/stats.log" ]; then cp "$slog/stats.log" "$tmp/$key.stats"; fi
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$key" "$label" "$tag" "$tmp/$key.time" \
                "$ev" "$al" "$eb" "$db_b" "$tmp/$key.log" "$(quoted "$@")" >"$tmp/$key.row"
        fi
    done
    printf '%s\t%s\n' "$(cat "$tmp/$key.row")" "$rss_max" >>"$tmp/rows.tsv"
    if [ "$keep" != 1 ]; then
        [ -z "$evef" ] || rm -f "$evef"
        [ -z "$dbf" ] || rm -f "$dbf" "$dbf"-wal "$dbf"-shm
        [ -z "$slog" ] || rm -rf "$slog"
    fi
}

# suri_rows CAPTURE: the Suricata rows that --runs asks for (none when suricata is missing).
suri_rows() {
    local cap=$1 mode key label
    for mode in single autofp single-big; do
        case $mode in
        single) key=suri-1; label="Suricata, single runmode" ;;
        autofp) key=suri-af; label="Suricata, autofp runmode" ;;
        single-big) key=suri-1-big; label="Suricata, single runmode, memcaps 1 GiB" ;;
        esac
        want $key || continue
        [ -n "$suricata" ] || continue
        suri_argv "$cap" "$res/$stamp.$key.suricata" $mode
        run_row "$key" "$label" main "" "" "$res/$stamp.$key.suricata" "${cmd[@]}" ||
            echo "warning: $label failed; its row is missing" >&2
    done
}

want() { case ",$runs," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# ------------------------------------------------------------------------------ concurrent mode
if [ "$concurrent" != 0 ]; then
    [ -n "$runs" ] || runs=loop,none-w1,eve-w1,eve-wN,db-w1,suri-1,suri-af,suri-1-big
    npk=$((concurrent * 16))
    cap=$here/data/modbus-${npk}pk-f$concurrent-s$seed.pcap
    ref=$here/data/modbus-${npk}pk-f1000-s$seed.pcap
    gen "$cap" --packets "$npk" --flows "$concurrent" --seed "$seed"
    gen "$ref" --packets "$npk" --flows 1000 --seed "$seed"
    "$loop" "$cap" >"$tmp/warm.json"
    "$loop" "$ref" >"$tmp/warm-ref.json"
    eve=$res/concurrent-$stamp.eve.json
    db=$res/concurrent-$stamp.db
    echo "running on $cap (and $ref) ..." >&2
    if want loop; then run_row loop "pcap_loop" main "" "" "" "$loop" "$cap"; fi
    if want none-w1; then
        ots_argv "$cap" 1 "" ""
        run_row none-w1 "otsentry --db '' (no sink), workers 1" main "" "" "" "${cmd[@]}" || exit 1
        ots_argv "$ref" 1 "" ""
        run_row none-w1-ref "otsentry --db '' (no sink), workers 1, 1 000-connection capture" ref "" "" "" "${cmd[@]}" || exit 1
    fi
    if want eve-w1; then
        ots_argv "$cap" 1 "$eve" ""
        run_row eve-w1 "otsentry --db '' --eve F, workers 1" main "$eve" "" "" "${cmd[@]}" || exit 1
        ots_argv "$ref" 1 "$eve" ""
        run_row eve-w1-ref "otsentry --db '' --eve F, workers 1, 1 000-connection capture" ref "$eve" "" "" "${cmd[@]}" || exit 1
    fi
    if want eve-wN; then
        ots_argv "$cap" "$workers_n" "$eve" ""
        run_row eve-wN "otsentry --db '' --eve F, workers $workers_n" main "$eve" "" "" "${cmd[@]}" || exit 1
    fi
    if want db-w1; then
        ots_argv "$cap" 1 "$eve" "$db"
        run_row db-w1 "otsentry --db D --eve F, workers 1" main "$eve" "$db" "" "${cmd[@]}" || exit 1
    fi
    if [ "$have_custom" = 1 ]; then
        ots_argv "$cap" 1 "$eve" "$db" "${extra_args[@]}"
        run_row custom "otsentry $otsentry_args" main "$eve" "$db" "" "${cmd[@]}" || exit 1
    fi
    suri_rows "$cap"
    out=$res/concurrent-$stamp.md
    {
        echo "# peak memory with $concurrent concurrent Modbus connections ($stamp)"
        echo
        host_line
        echo "capture: $cap ($(stat -c %s "$cap") bytes; gen_modbus_capture.py --packets $npk --flows $concurrent --seed $seed)"
        echo "reference: $ref (--packets $npk --flows 1000 --seed $seed)"
        echo "best of $repeat run(s), files in page cache; default caps (no cap option given)"
        [ -z "$suri_note" ] || { echo; echo "**$suri_note**"; }
        echo
        "$py" "$report" concurrent "$tmp/warm.json" "$tmp/warm-ref.json" "$tmp/rows.tsv"
    } >"$out"
    cat "$out"
    echo "written: $out"
    exit 0
fi

# ------------------------------------------------------------------------------ side by side
[ -n "$runs" ] || runs=loop,eve-w1,eve-wN,db-w1,suri-1,suri-af
if [ "$have_custom" = 1 ]; then runs=$runs,custom; fi
cap=$here/data/modbus-${size_mb}mb-f$flows-s$seed.pcap
gen "$cap" --size-mb "$size_mb" --flows "$flows" --seed "$seed"
"$loop" "$cap" >"$tmp/warm.json"  # page cache warm-up, untimed

eve=$res/replay-$stamp.eve.json
db=$res/replay-$stamp.db
echo "running on $cap ($runs) ..." >&2
if want loop; then run_row loop "pcap_loop" main "" "" "" "$loop" "$cap"; fi
if want eve-w1; then
    ots_argv "$cap" 1 "$eve" ""
    run_row eve-w1 "otsentry --db '' --eve F, workers 1" main "$eve" "" "" "${cmd[@]}" || exit 1
fi
if want eve-wN; then
    ots_argv "$cap" "$workers_n" "$eve" ""
    run_row eve-wN "otsentry --db '' --eve F, workers $workers_n" main "$eve" "" "" "${cmd[@]}" || exit 1
fi
if want db-w1; then
    ots_argv "$cap" 1 "$eve" "$db"
    run_row db-w1 "otsentry --db D --eve F, workers 1 (default)" main "$eve" "$db" "" "${cmd[@]}" || exit 1
fi
if want custom; then
    ots_argv "$cap" 1 "$eve" "$db" "${extra_args[@]}"
    run_row custom "otsentry $otsentry_args" main "$eve" "$db" "" "${cmd[@]}" || exit 1
fi
suri_rows "$cap"

out=$res/replay-$stamp.md
{
    echo "# replay benchmark ($stamp)"
    echo
    host_line
    echo "capture: $cap ($(stat -c %s "$cap") bytes on disk; generated with --size-mb $size_mb --flows $flows --seed $seed)"
    echo "best of $repeat run(s), file in page cache"
    [ -z "$suri_note" ] || { echo; echo "**$suri_note**"; }
    echo
    "$py" "$report" table "$tmp/warm.json" "$tmp/rows.tsv"
} >"$out"
cat "$out"
echo "written: $out"
