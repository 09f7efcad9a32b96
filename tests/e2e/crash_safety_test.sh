#!/usr/bin/env bash
# Crash safety of the store (issue 6, acceptance 1): `otsentry replay` of a capture that raises
# thousands of alerts is killed with SIGKILL at a random point, for several fixed seeds. After
# each kill the database must pass `PRAGMA integrity_check`, hold no alert twice (by
# (ts_us, sid, pcap_cnt)), and hold exactly a prefix of the alerts a complete run stores (with
# --workers 1 the order is deterministic): every alert committed before the kill is there once.
# What was lost is measured: records whose EVE line was written but whose transaction was not
# committed (the writer writes the EVE file first, then commits) must be at most one batch
# (WriterConfig::batch_max, 16384 by default). Records still in the writer's queue when the
# process died are lost too; they are at most queue_max + batch_max (the queue plus the batch in
# flight) and cannot be counted from outside the process. Finally a replay of a second capture
# into the same database must open it and add its alerts.
#
# Usage: crash_safety_test.sh OTSENTRY_BIN SOURCE_DIR [FLOWS]
# CRASH_SEEDS overrides the seeds (default "1 2 3 4 5").
set -euo pipefail

bin=$(readlink -f "$1")
src=$(readlink -f "$2")
flows=${3:-60000}
seeds=${CRASH_SEEDS:-1 2 3 4 5}
batch_window=16384 # WriterConfig::batch_max default: what one transaction holds
python=/usr/bin/python3
gen="$src/tests/e2e/gen_alert_storm.py"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[ -x "$bin" ] || fail "missing $bin"
[ -e "$gen" ] || fail "missing $gen"

work=$(mktemp -d "${TMPDIR:-/tmp}/otsentry-crash.XXXXXX")
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# One alert per Modbus read request: one per flow.
cat >"$work/storm.rules" <<'EOF'
alert modbus any any -> any any (msg:"crash test: Modbus read holding registers"; flow:to_server; modbus.function: 3; sid:9100001; rev:1;)
EOF
"$python" "$gen" "$work/storm.pcap" --flows "$flows"
"$python" "$gen" "$work/second.pcap" --flows 2000 --base-time 1704153600 # one day later

replay() { # replay CAPTURE DB EVE
    "$bin" replay "$1" --rules "$work/storm.rules" --db "$2" --eve "$3" --workers 1 --progress never -q
}

# The reference: a complete run.
start_ns=$(date +%s%N)
replay "$work/storm.pcap" "$work/ref.db" "$work/ref.json"
full_ms=$((($(date +%s%N) - start_ns) / 1000000))
echo "reference run: $full_ms ms"

check() { # check DB EVE REF_DB: prints "alerts events eve_records"; fails on a violation
    "$python" - "$@" "$batch_window" <<'EOF'
import json, sqlite3, sys

db_path, eve_path, ref_path, window = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
db = sqlite3.connect(db_path)
ok = db.execute("PRAGMA integrity_check").fetchone()[0]
if ok != "ok":
    sys.exit(f"integrity_check: {ok}")
tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
if "alerts" not in tables:  # killed before the schema was committed: an empty database
    print(0, 0, 0)
    sys.exit(0)
key = "SELECT ts_us, sid, pcap_cnt FROM alerts ORDER BY id"
got = db.execute(key).fetchall()
if len(got) != len(set(got)):
    sys.exit(f"{len(got) - len(set(got))} duplicate alerts by (ts_us, sid, pcap_cnt)")
ref = sqlite3.connect(ref_path).execute(key).fetchall()
if got != ref[: len(got)]:
    first = next(i for i, (a, b) in enumerate(zip(got, ref)) if a != b)
    sys.exit(f"stored alerts are not a prefix of the complete run's (first difference at row {first})")
events = db.execute("SELECT count(*) FROM events").fetchone()[0]
# Whole EVE lines only: the kill may have cut the last one.
eve = 0
try:
    with open(eve_path, "rb") as f:
        for line in f:
            if line.endswith(b"\n"):
                json.loads(line)
                eve += 1
except FileNotFoundError:
    pass
stored = len(got) + events
if eve < stored:
    sys.exit(f"the database holds {stored} records but the EVE file only {eve} (EVE is written first)")
if eve - stored > window:
    sys.exit(f"{eve - stored} records written to EVE but not committed: more than one batch ({window})")
print(len(got), events, eve)
EOF
}

ref_counts=$(check "$work/ref.db" "$work/ref.json" "$work/ref.db")
read -r ref_alerts ref_events _ <<<"$ref_counts"
[ "$ref_alerts" -ge 1000 ] || fail "the reference run stored only $ref_alerts alerts"
[ "$ref_alerts" -eq "$flows" ] || fail "expected $flows alerts in the reference run, got $ref_alerts"
echo "reference: $ref_alerts alerts, $ref_events events"

killed_mid_run=0
for seed in $seeds; do
    RANDOM=$seed
    # A kill point between 5% and 95% of the complete run.
    delay_ms=$((full_ms * 5 / 100 + RANDOM % (full_ms * 90 / 100 + 1)))
    db="$work/crash-$seed.db"
    eve="$work/crash-$seed.json"
    # The binary itself in the background (not the shell function: $! would be a subshell and
    # the kill would miss otsentry).
    "$bin" replay "$work/storm.pcap" --rules "$work/storm.rules" --db "$db" --eve "$eve" --workers 1 \
        --progress never -q &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    if kill -KILL "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null || true
        state="killed at ${delay_ms} ms"
    else
        wait "$pid" || true
        state="finished before the kill at ${delay_ms} ms"
    fi
    pid=""
    counts=$(check "$db" "$eve" "$work/ref.db") || fail "seed $seed ($state): see above"
    read -r alerts events eve_records <<<"$counts"
    uncommitted=$((eve_records - alerts - events))
    echo "seed $seed: $state: $alerts/$ref_alerts alerts and $events events committed;" \
        "$eve_records records in EVE; written but not committed: $uncommitted (<= $batch_window)"
    if [ "$alerts" -lt "$ref_alerts" ]; then killed_mid_run=$((killed_mid_run + 1)); fi

    # Restart into the same database: it opens, and the second capture's alerts are added.
    replay "$work/second.pcap" "$db" "$eve" || fail "seed $seed: replay after the kill failed"
    after=$("$python" -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
n = db.execute("SELECT count(*) FROM alerts").fetchone()[0]
d = db.execute("SELECT count(*) FROM (SELECT 1 FROM alerts GROUP BY ts_us, sid, pcap_cnt HAVING count(*) > 1)").fetchone()[0]
print(n, d)' "$db")
    read -r total dups <<<"$after"
    [ "$dups" -eq 0 ] || fail "seed $seed: $dups duplicate alerts after the restart"
    [ "$total" -eq $((alerts + 2000)) ] || fail "seed $seed: expected $((alerts + 2000)) alerts after the restart, got $total"
    rm -f "$db" "$db-wal" "$db-shm" "$eve"
done
[ "$killed_mid_run" -ge 1 ] || fail "no kill landed in the middle of a run (the replay is too fast: raise FLOWS)"
echo "PASS: $killed_mid_run kill(s) mid-run; integrity ok, no duplicates, stored alerts a prefix of the full run"
