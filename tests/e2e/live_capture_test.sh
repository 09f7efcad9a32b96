#!/usr/bin/env bash
# Live capture end to end: `otsentry monitor` listens on one end of a veth pair inside a network
# namespace of its own, tcpreplay sends the project's captures into the other end, and the
# events monitor writes must equal those `otsentry replay` writes for the same files (timestamps,
# flow ids and pcap_cnt aside). Also: stats records are written and show no kernel drops,
# privileges are dropped with --user, SIGHUP reloads the rules without stopping the capture (and
# keeps the old ones when the new files cannot be read), SIGINT stops it cleanly,
# and the run is recorded in the store as "monitor". Run 1 uses --workers 2, so the worker
# pipeline is checked live too. Run 3 is `monitor --serve`: the web API shows the live capture,
# and a rule file uploaded and a rule disabled there apply at the reload the API asks for.
#
# Usage: live_capture_test.sh OTSENTRY_BIN SOURCE_DIR
# Needs root (network namespaces, veth, capture) and tcpreplay. Exits 77 (skipped) only when a
# network namespace cannot be created here. LIVE_PPS sets the replay rate (default 200).
set -euo pipefail

bin=$(readlink -f "$1")
src=$(readlink -f "$2")
pps=${LIVE_PPS:-200}
captures=("$src/pcaps/demo/demo.pcap" "$src/pcaps/modbus/pymodbus_functions.pcap")
compare="$src/tests/e2e/compare_live_eve.py"
python=/usr/bin/python3

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

for tool in ip tcpreplay "$python"; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps installs it)"
done
for f in "$bin" "${captures[@]}" "$compare"; do
    [ -e "$f" ] || fail "missing $f"
done

ns="otsentry-e2e-$$"
if_mon=otse2e-mon # the monitored end (a SPAN port, as far as otsentry can tell)
if_gen=otse2e-gen # where tcpreplay sends
work=$(mktemp -d "${TMPDIR:-/tmp}/otsentry-live.XXXXXX")
mon_pid=""
ns_made=""

cleanup() {
    if [ -n "$mon_pid" ] && kill -0 "$mon_pid" 2>/dev/null; then
        kill -KILL "$mon_pid" 2>/dev/null || true
        wait "$mon_pid" 2>/dev/null || true
    fi
    # Deleting the namespace deletes the veth pair inside it.
    if [ -n "$ns_made" ]; then ip netns del "$ns" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! ip netns add "$ns" 2>"$work/netns.err"; then
    echo "SKIP: cannot create a network namespace here ($(head -c 300 "$work/netns.err")); run as root" >&2
    exit 77
fi
ns_made=1
nsx() { ip netns exec "$ns" "$@"; }
# Entering it can still fail (e.g. in a chroot whose / is not a mount point, `ip netns exec`
# cannot remount it): then namespaces cannot be used here either.
if ! nsx true 2>"$work/netns.err"; then
    echo "SKIP: cannot enter a network namespace here ($(head -c 300 "$work/netns.err"))" >&2
    exit 77
fi

nsx ip link add "$if_mon" type veth peer name "$if_gen"
for i in "$if_mon" "$if_gen"; do
    # No IPv6: the kernel would otherwise send router solicitations and MLD reports of its own.
    nsx sysctl -q -w "net.ipv6.conf.$i.disable_ipv6=1"
    nsx ip link set "$i" up
done

# The reference: the same files replayed from disk.
"$bin" replay "${captures[@]}" --db '' --eve "$work/replay.json" -q

expected_packets=$("$python" -c '
import struct, sys
n = 0
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        off += 16 + caplen
        n += 1
print(n)' "${captures[@]}")

# Starts monitor in the background; waits until it says it is capturing.
start_monitor() {
    local name=$1
    shift
    # Not through nsx: $! must be monitor itself (ip netns exec execs it), not a subshell.
    ip netns exec "$ns" "$bin" monitor -i "$if_mon" "$@" >"$work/$name.out" 2>"$work/$name.err" &
    mon_pid=$!
    for _ in $(seq 1 100); do
        grep -q "capturing on" "$work/$name.err" && return 0
        kill -0 "$mon_pid" 2>/dev/null || { cat "$work/$name.err" >&2; fail "monitor exited before capturing"; }
        sleep 0.1
    done
    cat "$work/$name.err" >&2
    fail "monitor did not report that it is capturing within 10 s"
}

# Waits for monitor to exit by itself and checks its status.
wait_monitor() {
    local name=$1 want=$2 rc=0
    for _ in $(seq 1 200); do
        kill -0 "$mon_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$mon_pid" 2>/dev/null && fail "monitor did not stop within 20 s of the signal"
    wait "$mon_pid" || rc=$?
    mon_pid=""
    if [ "$rc" != "$want" ]; then
        cat "$work/$name.err" >&2
        fail "monitor exited with $rc, expected $want"
    fi
}

# --- Run 1: the traffic, compared with replay ---------------------------------------------------
start_monitor live --eve "$work/live.json" --db '' --stats-interval 1 --user nobody --workers 2
uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$mon_pid/status")
nobody_uid=$(id -u nobody)
[ "$uid" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] || fail "monitor still runs as uid '$uid' after --user nobody"

nsx tcpreplay --intf1="$if_gen" --pps="$pps" "${captures[@]}" >"$work/tcpreplay.out" 2>&1 ||
    { cat "$work/tcpreplay.out" >&2; fail "tcpreplay failed"; }

# Wait until a stats record shows every packet processed (one record a second), then stop.
seen=0
for _ in $(seq 1 300); do
    seen=$("$python" -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue  # a line being written
    if r.get("event_type") == "stats":
        n = max(n, r["stats"]["engine"]["packets"])
print(n)' "$work/live.json")
    [ "$seen" -ge "$expected_packets" ] && break
    sleep 0.1
done
[ "$seen" -ge "$expected_packets" ] ||
    fail "monitor processed $seen of $expected_packets packets within 30 s ($(grep Actual "$work/tcpreplay.out" || true))"

kill -TERM "$mon_pid"
wait_monitor live 0
grep -q "otsentry monitor: interface $if_mon" "$work/live.out" || { cat "$work/live.out" >&2; fail "no summary"; }

"$python" "$compare" "$work/replay.json" "$work/live.json" "$expected_packets"

# --- Run 2: SIGHUP reloads the rules while capturing; a set that cannot load leaves the old one
# running; SIGINT stops cleanly; the run is recorded ----------------------------------------------
rules="$work/reload.rules"
echo 'alert modbus any any -> any any (msg:"before reload"; modbus.function: 8; sid:9000001;)' >"$rules"
start_monitor store --db "$work/otsentry.db" --eve "$work/store.json" --rules "$rules" --stats-interval 0 -q
echo 'alert modbus any any -> any any (msg:"after reload"; modbus.function: 8; sid:9000002;)' >"$rules"
wait_log() { # PATTERN: wait up to 10 s for a line of the monitor's stderr
    for _ in $(seq 1 100); do
        grep -q "$1" "$work/store.err" && return 0
        sleep 0.1
    done
    cat "$work/store.err" >&2
    fail "monitor did not log '$1'"
}
count_sid_in() { grep -c "\"signature_id\":$1," "$2" || true; }
count_sid() { count_sid_in "$1" "$work/store.json"; }
wait_alerts() { # SID N: wait up to 30 s for N alerts of SID in the EVE file
    for _ in $(seq 1 300); do
        [ "$(count_sid "$1")" -ge "$2" ] && return 0
        sleep 0.1
    done
    fail "expected $2 alerts of sid $1, saw $(count_sid "$1")"
}
kill -HUP "$mon_pid"
wait_log "rules reloaded: 1 rules loaded"
kill -0 "$mon_pid" 2>/dev/null || fail "SIGHUP stopped monitor"
# The demo sends two diagnostics requests (function 8): both meet the reloaded rule only.
nsx tcpreplay --intf1="$if_gen" --pps="$pps" "${captures[0]}" >"$work/tcpreplay2.out" 2>&1 ||
    { cat "$work/tcpreplay2.out" >&2; fail "tcpreplay failed"; }
wait_alerts 9000002 2
[ "$(count_sid 9000001)" = 0 ] || fail "the rule replaced by the reload still fired"
rm "$rules"
kill -HUP "$mon_pid"
wait_log "rule reload failed, the previous rules stay active"
nsx tcpreplay --intf1="$if_gen" --pps="$pps" "${captures[0]}" >"$work/tcpreplay3.out" 2>&1 ||
    { cat "$work/tcpreplay3.out" >&2; fail "tcpreplay failed"; }
wait_alerts 9000002 4
kill -INT "$mon_pid"
wait_monitor store 0
run=$("$python" -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print("|".join(str(v) for v in db.execute("select command, inputs from runs").fetchone()))' "$work/otsentry.db")
[ "$run" = "monitor|[\"$if_mon\"]" ] || fail "runs table has '$run'"

# --- Run 3: monitor --serve: the web UI in the same process shows the live capture, takes an
# uploaded rule file and a disabled rule, and reloads the monitor's rules without stopping it ------
command -v curl >/dev/null || fail "curl is not installed (scripts/install-deps installs it)"
nsx ip link set lo up
db3="$work/serve.db"
admin_pw=$("$bin" user add admin --role admin --db "$db3" | sed -n "s/^One-time password for 'admin': *//p")
[ -n "$admin_pw" ] || fail "user add printed no one-time password"
base=http://127.0.0.1:8080
start_monitor serve --db "$db3" --eve "$work/serve.json" --stats-interval 1 --serve --listen 127.0.0.1:8080 -q
for _ in $(seq 1 100); do
    nsx curl -s -o /dev/null "$base/" && break
    sleep 0.1
done
json_get() { # EXPR FILE: a Python expression over the JSON document `j`
    "$python" -c 'import json, sys; j = json.load(open(sys.argv[2])); print(eval(sys.argv[1]))' "$1" "$2"
}
nsx curl -s -c "$work/cookies" -H 'Content-Type: application/json' -o "$work/login.json" \
    -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" "$base/api/v1/session"
csrf=$(json_get 'j["csrf_token"]' "$work/login.json")
api() { # METHOD PATH [BODY]: the answer's body in $work/api.json, its status printed
    nsx curl -s -b "$work/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
        -X "$1" ${3:+-d "$3"} -o "$work/api.json" -w '%{http_code}' "$base/api/v1$2"
}
[ "$(api GET /rules)" = 200 ] || fail "GET /rules: $(cat "$work/api.json")"
[ "$(json_get 'j["engine_attached"] and j["loaded"] is not None and j["total"] > 50' "$work/api.json")" = True ] ||
    fail "the rules page does not show the monitor's rule set: $(head -c 300 "$work/api.json")"

nsx tcpreplay --intf1="$if_gen" --pps="$pps" "${captures[0]}" >"$work/tcpreplay4.out" 2>&1 ||
    { cat "$work/tcpreplay4.out" >&2; fail "tcpreplay failed"; }
demo_packets=$("$python" -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off + 16 <= len(data):
    off += 16 + struct.unpack_from("<I", data, off + 8)[0]
    n += 1
print(n)' "${captures[0]}")
live=""
for _ in $(seq 1 300); do
    [ "$(api GET /status)" = 200 ] || fail "GET /status: $(cat "$work/api.json")"
    live=$(json_get 'j["capture"] is not None and j["capture"]["live"] and j["capture"]["packets"] >= '"$demo_packets"' and j["capture"]["kernel_drops"] == 0 and j["runs"][0]["finished_us"] is None' "$work/api.json")
    [ "$live" = True ] && break
    sleep 0.1
done
[ "$live" = True ] || fail "the status page does not show the live capture: $(head -c 600 "$work/api.json")"
before=$(count_sid_in 1001001 "$work/serve.json")
[ "$before" -ge 1 ] || fail "the demo raised no alert of sid 1001001 before the reload"

upload='{"name":"site.rules","text":"alert modbus any any -> any any (msg:\"uploaded rule\"; modbus.function: 8; sid:9100001;)\n"}'
[ "$(api POST /rules/files "$upload")" = 201 ] || fail "upload: $(cat "$work/api.json")"
[ "$(api PUT /rules/1:1001001 '{"enabled":false}')" = 200 ] || fail "disable: $(cat "$work/api.json")"
[ "$(api POST /rules/reload)" = 200 ] || fail "reload: $(cat "$work/api.json")"
[ "$(api GET '/rules?sid=9100001')" = 200 ] || fail "GET /rules?sid=9100001"
[ "$(json_get 'j["rules"][0]["state"] + " " + j["rules"][0]["source"] + " " + str(j["loaded"]["pending"])' "$work/api.json")" = "active db:site.rules False" ] ||
    fail "the uploaded rule is not loaded: $(head -c 400 "$work/api.json")"
[ "$(api GET '/rules?sid=1001001')" = 200 ] || fail "GET /rules?sid=1001001"
[ "$(json_get 'j["rules"][0]["state"]' "$work/api.json")" = disabled ] || fail "sid 1001001 is not disabled"
kill -0 "$mon_pid" 2>/dev/null || fail "the reload stopped monitor"

nsx tcpreplay --intf1="$if_gen" --pps="$pps" "${captures[0]}" >"$work/tcpreplay5.out" 2>&1 ||
    { cat "$work/tcpreplay5.out" >&2; fail "tcpreplay failed"; }
for _ in $(seq 1 300); do
    [ "$(count_sid_in 9100001 "$work/serve.json")" -ge 2 ] && break
    sleep 0.1
done
[ "$(count_sid_in 9100001 "$work/serve.json")" = 2 ] || fail "the uploaded rule did not fire twice after the reload"
[ "$(count_sid_in 1001001 "$work/serve.json")" = "$before" ] || fail "the disabled rule still fired after the reload"
[ "$(api GET /audit)" = 200 ] || fail "GET /audit"
[ "$(json_get '" ".join(e["action"] for e in j["entries"][:3])' "$work/api.json")" = "rules.reload rule.disable rules.upload" ] ||
    fail "audit log: $(head -c 400 "$work/api.json")"
kill -TERM "$mon_pid"
wait_monitor serve 0

echo "PASS: live capture of $expected_packets packets at $pps packets/s matches replay; monitor --serve reloads rules from the web UI"
