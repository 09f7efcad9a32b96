#!/usr/bin/env bash
# Disk full (issue 6, acceptance 2): `otsentry replay` writes its database on a 16 MiB tmpfs made
# by this test and reads the capture from a pipe, in three stages:
#   1. the first flows: stored normally;
#   2. the tmpfs is filled by another file, then more flows arrive: the process must report the
#      condition (once), keep reading and writing the EVE file, keep the alerts it could not store
#      (the spill) and count the events it could not store;
#      (an alert with its evidence pcap, its event and the WAL take ~3 kB of the file system:
#      16 MiB holds the whole capture, but not once the filler took the free space);
#   3. the filler is deleted: the writer's periodic retry (every 5 s) stores the spilled alerts,
#      says so, and the last flows are stored normally.
# At the end every alert is in the database exactly once, the EVE file has every record, the
# database passes integrity_check, and the summary counts the records that were not stored.
#
# Usage: disk_full_test.sh OTSENTRY_BIN SOURCE_DIR
# Needs root to mount the tmpfs; exits 77 (skipped) where it cannot mount one.
set -euo pipefail

bin=$(readlink -f "$1")
src=$(readlink -f "$2")
python=/usr/bin/python3
gen="$src/tests/e2e/gen_alert_storm.py"
flows=2000
cut1=400
cut2=1000

fail() {
    echo "FAIL: $*" >&2
    [ -n "${work:-}" ] && [ -f "$work/stderr" ] && sed 's/^/  stderr: /' "$work/stderr" >&2
    exit 1
}
[ -x "$bin" ] || fail "missing $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/otsentry-diskfull.XXXXXX")
mnt="$work/mnt"
mkdir "$mnt"
pid=""
mounted=""
cleanup() {
    exec 3>&- 2>/dev/null || true
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if [ -n "$mounted" ]; then umount -l "$mnt" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! mount -t tmpfs -o size=16m,mode=0700 tmpfs "$mnt" 2>"$work/mount.err"; then
    echo "SKIP: cannot mount a tmpfs here ($(head -c 300 "$work/mount.err")); run as root" >&2
    exit 77
fi
mounted=1

cat >"$work/storm.rules" <<'EOF'
alert modbus any any -> any any (msg:"disk full test: Modbus read holding registers"; flow:to_server; modbus.function: 3; sid:9100002; rev:1;)
EOF
"$python" "$gen" "$work/storm.pcap" --flows "$flows" --split "$cut1,$cut2"

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
    local limit=$(($1 * 10)) what=$2
    shift 2
    for ((i = 0; i < limit; i++)); do
        if "$@"; then return 0; fi
        kill -0 "$pid" 2>/dev/null || fail "otsentry exited while waiting for $what"
        sleep 0.1
    done
    fail "timed out waiting for $what"
}
db_alerts() {
    "$python" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM alerts").fetchone()[0])' "$1" 2>/dev/null || echo 0
}
stored_at_least() { [ "$(db_alerts "$mnt/otsentry.db")" -ge "$1" ]; }
said() { grep -q "$1" "$work/stderr"; }

mkfifo "$work/capture.fifo"
"$bin" replay - --rules "$work/storm.rules" --db "$mnt/otsentry.db" --eve "$work/eve.json" \
    --workers 1 --progress never <"$work/capture.fifo" >"$work/stdout" 2>"$work/stderr" &
pid=$!
exec 3>"$work/capture.fifo"

# Stage 1: stored normally.
cat "$work/storm.pcap.1" >&3
wait_for 20 "the first $cut1 alerts to be committed" stored_at_least "$cut1"
echo "stage 1: $(db_alerts "$mnt/otsentry.db") alerts stored"

# Stage 2: the disk is full.
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null || true
echo "filled the tmpfs: $(df -k --output=avail "$mnt" | tail -1 | tr -d ' ') KiB left"
cat "$work/storm.pcap.2" >&3
wait_for 30 "the disk-full report" said "database or disk is full"
sleep 1 # the rest of stage 2 goes through the writer while the disk is still full
echo "stage 2: reported: $(grep -m1 'disk is full' "$work/stderr")"
kill -0 "$pid" 2>/dev/null || fail "otsentry stopped on a full disk"

# Stage 3: space returns; the retry stores the spilled alerts.
rm -f "$mnt/filler"
wait_for 30 "the recovery report" said "takes records again"
echo "stage 3: $(grep -m1 'takes records again' "$work/stderr")"
cat "$work/storm.pcap.3" >&3
exec 3>&-
set +e
wait "$pid"
rc=$?
set -e
pid=""

reports=$(grep -c "database or disk is full;" "$work/stderr" || true)
[ "$reports" -eq 1 ] || fail "the disk-full condition was reported $reports times, not once"
# The first error stays in error(), so replay ends with status 1 and names the database.
[ "$rc" -eq 1 ] || fail "replay exited with $rc (expected 1: a write error happened)"
grep -q "otsentry: error: $mnt/otsentry.db: .*database or disk is full" "$work/stderr" ||
    fail "the final error does not name the database"

"$python" - "$mnt/otsentry.db" "$work/eve.json" "$flows" <<'EOF' || fail "store check"
import json, sqlite3, sys

db_path, eve_path, flows = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(db_path)
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check"
alerts = db.execute("SELECT count(*) FROM alerts").fetchone()[0]
distinct = db.execute("SELECT count(*) FROM (SELECT DISTINCT ts_us, sid, pcap_cnt FROM alerts)").fetchone()[0]
events = db.execute("SELECT count(*) FROM events").fetchone()[0]
with open(eve_path) as f:
    eve = [json.loads(line) for line in f]
eve_alerts = sum(1 for e in eve if e["event_type"] == "alert")
eve_events = len(eve) - eve_alerts
print(f"database: {alerts} alerts ({distinct} distinct), {events} events; EVE: {eve_alerts} alerts, {eve_events} events")
assert eve_alerts == flows, f"EVE has {eve_alerts} alerts, expected {flows}"
assert alerts == flows and distinct == flows, f"expected every one of the {flows} alerts once in the database"
assert events < eve_events, "some events should have been lost to the full disk"
print(f"events not stored while the disk was full: {eve_events - events}")
EOF
not_written=$(sed -n 's/.*(\([0-9,]*\) records could not be written).*/\1/p' "$work/stdout" "$work/stderr" | tr -d ,)
echo "summary: ${not_written:-?} records could not be written"
if [ -z "$not_written" ] || [ "$not_written" -eq 0 ]; then
    fail "the summary does not count the records that were not stored"
fi
echo "PASS: disk full reported once, capture went on, alerts spilled and stored after recovery"
