#!/bin/bash
# Browser end-to-end test of the web UI: Debian's headless Chromium driven by playwright-core
# (spec.mjs) against a real `otsentry serve` holding the demo capture's alerts.
#   run.sh BIN SRC      replay pcaps/demo/demo.pcap into a temp store, add an analyst (tester)
#                       and an admin, serve it on a free loopback port, run the spec
#   run.sh --mock SRC   the same spec against mock_server.mjs (front-end development)
# Screenshots (one per step) and the downloaded evidence pcap go to $OUT (default
# ./webui_e2e_out). Exits 77 (skipped) when node or chromium is missing.
set -u
BIN=${1:?usage: run.sh OTSENTRY_BINARY|--mock SOURCE_DIR}
SRC=${2:?usage: run.sh OTSENTRY_BINARY|--mock SOURCE_DIR}
SRC=$(cd "$SRC" && pwd)
HERE=$SRC/tests/e2e/webui
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
OUT=${OUT:-$PWD/webui_e2e_out}
export TZ=UTC LC_ALL=C

if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed (apt-get install nodejs npm)"
    exit 77
fi
if [ ! -x "$CHROMIUM" ]; then
    echo "SKIP: $CHROMIUM is missing (apt-get install chromium)"
    exit 77
fi
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
    echo "installing playwright-core into $HERE/node_modules (npm ci)"
    # Node does not read the system's CA store by itself; a registry mirror or proxy whose CA the
    # system trusts must be trusted by npm too.
    if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
        export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
    fi
    if ! (cd "$HERE" && npm ci --no-audit --no-fund >"$HERE/npm-ci.log" 2>&1); then
        # The registry out of reach is the environment, not the UI: say so and skip. Any other
        # failure (a broken lock file, a package that does not install) is a failure.
        if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT|CERT_HAS_EXPIRED|network' "$HERE/npm-ci.log"; then
            echo "SKIP: cannot reach the npm registry to install playwright-core:" >&2
            grep -m3 'npm ERR!' "$HERE/npm-ci.log" >&2
            exit 77
        fi
        echo "FAIL: npm ci failed in $HERE:" >&2
        tail -20 "$HERE/npm-ci.log" >&2
        exit 1
    fi
fi

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
rm -rf "$OUT"
mkdir -p "$OUT"

free_port() {
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
               console.log(s.address().port); s.close(); });'
}

# add_user NAME ROLE: prints the one-time password from the "One-time password for 'NAME': <pw>" line.
add_user() {
    local out
    if ! out=$("$BIN" user add "$1" --role "$2" --db "$WORK/otsentry.db" 2>&1); then
        echo "FAIL: $BIN user add $1 --role $2 failed:" >&2
        echo "$out" | sed 's/^/  | /' >&2
        return 1
    fi
    local pw
    pw=$(echo "$out" | sed -n "s/^One-time password for '$1': *\([^[:space:]]*\).*$/\1/p" | head -1)
    if [ -z "$pw" ]; then
        echo "FAIL: no "One-time password for '$1': <pw>" line in the output of user add $1:" >&2
        echo "$out" | sed 's/^/  | /' >&2
        return 1
    fi
    echo "$pw"
}

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
if [ "$BIN" = "--mock" ]; then
    USER_PW=tester-$RANDOM$RANDOM
    ADMIN_PW=admin-$RANDOM$RANDOM
    MOCK_USERS="tester:analyst:$USER_PW,admin:admin:$ADMIN_PW" \
        node "$HERE/mock_server.mjs" --port "$PORT" --frontend "$SRC/webui/frontend" >"$OUT/server.log" 2>&1 &
    SERVER_PID=$!
    MOCK_FLAG=(--mock 1)
else
    MOCK_FLAG=()
    if ! "$BIN" replay --db "$WORK/otsentry.db" --eve "$WORK/eve.json" \
        --var 'ICS_ENGINEERING=[127.0.0.10,127.0.0.20]' "$SRC/pcaps/demo/demo.pcap" >"$OUT/replay.log" 2>&1; then
        echo "FAIL: replay of the demo capture failed:" >&2
        tail -20 "$OUT/replay.log" >&2
        exit 1
    fi
    USER_PW=$(add_user tester analyst) || exit 1
    ADMIN_PW=$(add_user admin admin) || exit 1
    "$BIN" serve --db "$WORK/otsentry.db" --listen "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
    SERVER_PID=$!
fi

# Wait (up to 20 s) for the port to accept connections.
for _ in $(seq 1 200); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "FAIL: the server exited before listening:" >&2
        tail -20 "$OUT/server.log" >&2
        exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if ! (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "FAIL: nothing listens on $BASE after 20 s" >&2
    tail -20 "$OUT/server.log" >&2
    exit 1
fi

node "$HERE/spec.mjs" --base "$BASE" --user tester --password "$USER_PW" \
    --admin admin --admin-password "$ADMIN_PW" --out "$OUT" --chromium "$CHROMIUM" "${MOCK_FLAG[@]}"
rc=$?

# The evidence must also parse with libpcap's reader when tshark is there (the spec already
# walked it record by record).
if [ "$rc" -eq 0 ] && command -v tshark >/dev/null 2>&1; then
    for f in "$OUT"/alert-*.pcap; do
        n=$(tshark -r "$f" 2>"$WORK/tshark.err" | wc -l)
        if [ "$n" -lt 1 ]; then
            echo "FAIL: tshark reads no packet from $f:" >&2
            sed 's/^/  | /' "$WORK/tshark.err" >&2
            rc=1
        else
            echo "tshark: $f holds $n packets"
        fi
    done
fi
exit "$rc"
