#!/bin/bash
# End to end: `otsentry replay` fills a store from captures that raise alerts, then every
# `otsentry alerts` command is driven and its output checked: list (table, JSON, filters, pages),
# show, counts, ack/resolve/false-positive/reopen/assign/comment (history and audit log),
# suppress (a second replay stores none of the suppressed alerts, the EVE file still has them),
# pcap (the evidence parses with tshark, or with Python if tshark is missing), and the errors
# (unknown id, no evidence, a terminal on stdout, a bad --since, a missing database).
# Usage: alerts_cli_test.sh OTSENTRY_BINARY SOURCE_DIR
set -u
BIN=${1:?usage: alerts_cli_test.sh OTSENTRY_BINARY SOURCE_DIR}
SRC=${2:?usage: alerts_cli_test.sh OTSENTRY_BINARY SOURCE_DIR}
export TZ=UTC LC_ALL=C
WORK=$(mktemp -d)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
DB=$WORK/otsentry.db
EVE=$WORK/eve.json
CAPS=("$SRC/pcaps/demo/demo.pcap" "$SRC/pcaps/attacks/modbus_recon_scan.pcap")
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_rc WANT CMD...: runs CMD, output in $WORK/out and $WORK/err.
expect_rc() {
    local want=$1
    shift
    "$@" >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        fail "exit $rc (want $want): $*"
        sed 's/^/  stderr: /' "$WORK/err" >&2
    fi
}

expect_grep() {  # expect_grep PATTERN FILE WHAT
    grep -qE -- "$1" "$2" || { fail "$3: no line matching '$1' in:"; sed 's/^/  | /' "$2" >&2; }
}

sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print("\n".join("|".join("" if v is None else str(v) for v in x) for x in r))' "$DB" "$1"; }

for cap in "${CAPS[@]}"; do
    [ -f "$cap" ] || { echo "missing capture $cap" >&2; exit 1; }
done
expect_rc 0 "$BIN" replay "${CAPS[@]}" --db "$DB" --eve "$EVE" -q --workers 1

eve_alerts=$(grep -c '"event_type":"alert"' "$EVE")
rows=$(sql "SELECT count(*) FROM alerts")
stored=$(sql "SELECT sum(count) FROM alerts")
[ "$eve_alerts" -ge 10 ] || fail "expected at least 10 alerts in the EVE file, got $eve_alerts"
[ "$stored" = "$eve_alerts" ] || fail "store counts $stored alerts, the EVE file has $eve_alerts"
[ "$rows" -lt "$eve_alerts" ] || fail "no aggregation: $rows rows for $eve_alerts alerts"

# --- list ---
expect_rc 0 "$BIN" alerts list --db "$DB"
expect_grep '^ID +LAST SEEN \(UTC\) +SEV +STATUS +COUNT +PROTO +SOURCE -> DESTINATION +SID +SIGNATURE$' "$WORK/out" "list header"
expect_grep "^$rows alert rows$" "$WORK/out" "list footer"
[ "$(grep -cE '^[0-9]+ +[0-9]{4}-' "$WORK/out")" = "$rows" ] || fail "list: not $rows rows"

expect_rc 0 "$BIN" alerts list --db "$DB" --json --limit 1000
python3 - "$WORK/out" "$rows" "$stored" <<'EOF' || fail "list --json"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == int(sys.argv[2]), len(rows)
assert sum(r["count"] for r in rows) == int(sys.argv[3])
keys = [(r["ts_us"], r["id"]) for r in rows]
assert keys == sorted(keys, reverse=True), "not newest first"
assert all(r["status"] == "new" and r["evidence_bytes"] > 0 for r in rows)
EOF

# Pages of 2 visit every row once.
seen=""
before=()
for _ in $(seq 1 20); do
    expect_rc 0 "$BIN" alerts list --db "$DB" --limit 2 "${before[@]}"
    seen="$seen $(grep -E '^[0-9]+ +[0-9]{4}-' "$WORK/out" | awk '{print $1}' | tr '\n' ' ')"
    next=$(grep -oE 'next page: --before [0-9]+:[0-9]+' "$WORK/out" | awk '{print $NF}')
    [ -n "$next" ] || break
    before=(--before "$next")
done
[ "$(echo $seen | wc -w)" = "$rows" ] || fail "pages saw $(echo $seen | wc -w) rows, want $rows"
[ "$(echo $seen | tr ' ' '\n' | sort -u | wc -l)" = "$rows" ] || fail "pages repeated a row: $seen"

sev1=$(sql "SELECT count(*) FROM alerts WHERE severity = 1")
expect_rc 0 "$BIN" alerts list --db "$DB" --severity 1 --json
[ "$(wc -l <"$WORK/out")" = "$sev1" ] || fail "--severity 1: want $sev1 rows"
expect_rc 0 "$BIN" alerts list --db "$DB" --proto dnp3
expect_grep '^no alerts match$' "$WORK/out" "--proto dnp3"
expect_rc 0 "$BIN" alerts list --db "$DB" --since 2000-01-01 --until 2000-01-02
expect_grep '^no alerts match$' "$WORK/out" "--since/--until"
expect_rc 2 "$BIN" alerts list --db "$DB" --since yesterday
expect_grep "--since 'yesterday'" "$WORK/err" "bad --since"
expect_rc 1 "$BIN" alerts list --db "$WORK/missing.db"
[ ! -e "$WORK/missing.db" ] || fail "list created a database"

# --- show ---
top=$(sql "SELECT id FROM alerts ORDER BY count DESC, id LIMIT 1")
top_sid=$(sql "SELECT sid FROM alerts WHERE id = $top")
top_gid=$(sql "SELECT gid FROM alerts WHERE id = $top")
top_count=$(sql "SELECT count FROM alerts WHERE id = $top")
expect_rc 0 "$BIN" alerts show "$top" --db "$DB"
expect_grep "^Alert $top$" "$WORK/out" "show title"
expect_grep "^  signature: +\[$top_gid:$top_sid:[0-9]+\] " "$WORK/out" "show signature"
expect_grep "^  count: +$top_count$" "$WORK/out" "show count"
expect_grep '^  evidence: +[0-9]+ packets?, [0-9]+ bytes' "$WORK/out" "show evidence"
expect_grep "^    \"signature_id\": $top_sid,?$" "$WORK/out" "show pretty EVE"
expect_rc 1 "$BIN" alerts show 99999 --db "$DB"
expect_grep 'no alert 99999' "$WORK/err" "show unknown id"

# --- counts ---
expect_rc 0 "$BIN" alerts counts --by sid --db "$DB" --json
python3 - "$WORK/out" "$stored" <<'EOF' || fail "counts --by sid"
import json, sys
c = [json.loads(l) for l in open(sys.argv[1])]
assert sum(x["alerts"] for x in c) == int(sys.argv[2])
assert [x["alerts"] for x in c] == sorted((x["alerts"] for x in c), reverse=True)
EOF
expect_rc 2 "$BIN" alerts counts --by colour --db "$DB"

# --- triage ---
ids=($(sql "SELECT id FROM alerts ORDER BY id LIMIT 3"))
expect_rc 0 "$BIN" alerts ack "${ids[0]}" "${ids[1]}" --by tester --comment "seen at the PLC" --db "$DB"
expect_grep "^acknowledged: ${ids[0]} ${ids[1]}$" "$WORK/out" "ack"
expect_rc 1 "$BIN" alerts ack "${ids[0]}" 99999 --by tester --db "$DB"
expect_grep "^already so: ${ids[0]}$" "$WORK/out" "ack again"
expect_grep 'no alert 99999' "$WORK/err" "ack unknown id"
expect_rc 0 "$BIN" alerts resolve "${ids[0]}" --by tester --db "$DB"
expect_rc 0 "$BIN" alerts false-positive "${ids[2]}" --by tester --db "$DB"
expect_rc 0 "$BIN" alerts assign "${ids[1]}" --to carol --by tester --db "$DB"
expect_rc 0 "$BIN" alerts comment "${ids[1]}" "call the integrator" --db "$DB"  # actor: the Unix user
expect_rc 0 "$BIN" alerts show "${ids[0]}" --db "$DB"
expect_grep '^  status: +resolved \(changed ' "$WORK/out" "show status"
expect_grep '^  [0-9-]+ [0-9:]+ tester: status new -> acknowledged$' "$WORK/out" "history ack"
expect_grep '^  [0-9-]+ [0-9:]+ tester: status acknowledged -> resolved$' "$WORK/out" "history resolve"
expect_grep '^  [0-9-]+ [0-9:]+ tester: seen at the PLC$' "$WORK/out" "comment from ack"
expect_rc 0 "$BIN" alerts show "${ids[1]}" --db "$DB" --json
python3 - "$WORK/out" "$(id -un)" <<'EOF' || fail "show --json after triage"
import json, sys
a = json.loads(open(sys.argv[1]).read())
assert a["status"] == "acknowledged" and a["assignee"] == "carol", a
assert [c["text"] for c in a["comments"]] == ["seen at the PLC", "call the integrator"], a["comments"]
assert a["comments"][1]["actor"] == sys.argv[2], a["comments"]
assert [(h["field"], h["new"]) for h in a["history"]] == [("status", "acknowledged"), ("assignee", "carol")]
assert a["eve"]["event_type"] == "alert"
EOF
expect_rc 0 "$BIN" alerts list --db "$DB" --status acknowledged,resolved --json
[ "$(wc -l <"$WORK/out")" = 2 ] || fail "--status acknowledged,resolved: want 2 rows"
audit=$(sql "SELECT count(*) FROM audit_log WHERE actor = 'tester' AND ok = 1")
[ "$audit" = 5 ] || fail "audit log: $audit changes by tester, want 5"
[ "$(sql "SELECT count(*) FROM audit_log WHERE ok = 0")" = 1 ] || fail "audit log: the failed ack is not recorded"

# --- pcap ---
packets=$(sql "SELECT packets FROM evidence WHERE alert_id = $top")
expect_rc 0 "$BIN" alerts pcap "$top" --db "$DB"
cp "$WORK/out" "$WORK/a.pcap"
[ "$(python3 -c 'import sys;print(len(open(sys.argv[1],"rb").read()))' "$WORK/a.pcap")" = \
  "$(sql "SELECT bytes FROM evidence WHERE alert_id = $top")" ] || fail "pcap size differs from the store"
if command -v tshark >/dev/null; then
    n=$(tshark -r "$WORK/a.pcap" 2>/dev/null | wc -l)
    [ "$n" = "$packets" ] || fail "tshark reads $n packets from the evidence, want $packets"
    tshark -r "$WORK/a.pcap" -Y modbus 2>/dev/null | grep -q . || fail "the evidence has no Modbus packet"
else
    python3 - "$WORK/a.pcap" "$packets" <<'EOF' || fail "evidence does not parse as pcap"
import struct, sys
d = open(sys.argv[1], "rb").read()
assert struct.unpack("<I", d[:4])[0] == 0xA1B2C3D4
off, n = 24, 0
while off < len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    off += 16 + incl
    n += 1
assert off == len(d) and n == int(sys.argv[2]), (off, len(d), n)
EOF
fi
expect_rc 1 "$BIN" alerts pcap 99999 --db "$DB"
expect_grep 'no alert 99999' "$WORK/err" "pcap unknown id"
sql "INSERT INTO alerts (ts_us, eve, sid, gid, first_seen_us, last_seen_us) VALUES (1, '{}', 1, 1, 1, 1)" >/dev/null
bare=$(sql "SELECT max(id) FROM alerts")
expect_rc 1 "$BIN" alerts pcap "$bare" --db "$DB"
expect_grep "alert $bare has no evidence" "$WORK/err" "pcap without evidence"
# A terminal needs a pseudo-terminal: a chroot or container without /dev/pts has none, and then
# this one check cannot run (said, not failed).
if ! command -v script >/dev/null; then
    echo "note: 'script' is missing: the terminal check is not run"
elif ! script -qec true /dev/null >"$WORK/pty" 2>&1; then
    echo "note: no pseudo-terminal here ($(head -c 200 "$WORK/pty")): the terminal check is not run"
else
    script -qec "$BIN alerts pcap $top --db $DB" /dev/null >"$WORK/tty" 2>&1
    rc=$?
    [ "$rc" = 1 ] || fail "pcap to a terminal: exit $rc, want 1"
    grep -q 'standard output is a terminal' "$WORK/tty" || fail "pcap to a terminal: no message"
fi

# --- suppress: the same captures again store none of the suppressed alerts ---
sup_sid=$(sql "SELECT sid FROM alerts WHERE id = $top")
sup_src=$(sql "SELECT src_ip FROM alerts WHERE id = $top")
sup_dst=$(sql "SELECT dest_ip FROM alerts WHERE id = $top")
match="sid = $sup_sid AND src_ip = '$sup_src' AND dest_ip = '$sup_dst'"
before_sup=$(sql "SELECT sum(count) FROM alerts WHERE $match")
others_before=$(sql "SELECT sum(count) FROM alerts WHERE NOT ($match)")
expect_rc 0 "$BIN" alerts suppress "$top" --reason "lab scanner" --by tester --db "$DB"
expect_grep "^suppression 1: alerts \[$top_gid:$sup_sid\] $sup_src -> $sup_dst are no longer stored$" "$WORK/out" "suppress"
expect_rc 0 "$BIN" replay "${CAPS[@]}" --db "$DB" --eve "$EVE" -q --workers 1
[ "$(grep -c '"event_type":"alert"' "$EVE")" = $((2 * eve_alerts)) ] || fail "the EVE file lost suppressed alerts"
[ "$(sql "SELECT sum(count) FROM alerts WHERE $match")" = "$before_sup" ] || fail "suppressed alerts were stored"
others_after=$(sql "SELECT sum(count) FROM alerts WHERE NOT ($match)")
[ "$others_after" -gt "$others_before" ] || fail "alerts that are not suppressed were not stored"
expect_rc 0 "$BIN" alerts suppressions --db "$DB"
expect_grep "^1  \[$top_gid:$sup_sid\] $sup_src -> $sup_dst  hits $before_sup  by tester .* reason: lab scanner$" "$WORK/out" "suppressions"
expect_rc 0 "$BIN" alerts unsuppress 1 --by tester --db "$DB"
expect_rc 1 "$BIN" alerts unsuppress 1 --by tester --db "$DB"

# --- retention by hand, and the database is sound ---
expect_rc 0 "$BIN" alerts prune --max-rows 2 --db "$DB"
expect_grep '^pruned [0-9]+ alert rows ' "$WORK/out" "prune"
[ "$(sql "SELECT count(*) FROM alerts")" = 2 ] || fail "prune --max-rows 2 left $(sql "SELECT count(*) FROM alerts") rows"
[ "$(sql "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
[ -z "$(sql "PRAGMA foreign_key_check")" ] || fail "foreign_key_check"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "alerts CLI: all checks passed ($rows rows, $eve_alerts alerts)"
