#!/usr/bin/python3
"""Write N distinct, realistic rules for the rule-count benchmark (bench/run_rules_bench.sh).

    gen_rules.py N [--seed 1] > file.rules

The mix is the one a plant's rule set has:
* ~40% `alert tcp` content rules on ICS and IT ports, 1-3 contents each with offset/depth or
  distance/within, some nocase, some pcre, some byte_test. The literals are 4-12 random bytes
  (or lower-case words for the IT-port rules) drawn so that they rarely occur in the Modbus
  benchmark traffic of gen_modbus_capture.py: each starts with a byte >= 0x80 and has at least
  three distinct high bytes, which its MBAP headers and small register values almost never hold.
* ~30% Modbus field rules (`alert modbus ... (modbus.function: N; modbus.register.address: A-B; ...)`),
  with register addresses from 4 000 up, unit ids 11-247 and, for rules on a function alone,
  functions the benchmark capture never sends, so they rarely fire there either.
* ~15% DNP3 / IEC 104 / S7comm field rules.
* ~10% Suricata `modbus:` keyword rules (function, access read/write with address, unit).
* ~5% rules with threshold / detection_filter / flowbits.
Every rule has a unique sid (from 3 000 000), msg, rev and a classtype from Suricata's
classification.config. No two rules are the same text. Output is deterministic for a seed.
"""

import argparse
import random
import sys

CLASSTYPES = [
    "attempted-recon", "attempted-dos", "attempted-admin", "bad-unknown", "misc-activity",
    "misc-attack", "protocol-command-decode", "policy-violation", "denial-of-service",
    "non-standard-protocol", "unusual-client-port-connection", "successful-recon-limited",
]
ICS_PORTS = [502, 20000, 102, 44818, 2404, 1911, 9600, 4840, 47808, 18245]
IT_PORTS = [80, 443, 445, 22, 3389, 21, 23, 8080, 1433, 5900]
IT_WORDS = ["admin", "login", "passwd", "shell", "upload", "config", "backup", "firmware",
            "setup", "debug", "session", "token", "update", "service", "diag", "export"]
MODBUS_FUNCS = [1, 2, 3, 4, 5, 6, 15, 16, 23]  # with an address range
# Functions a rule names alone: the ones gen_modbus_capture.py never sends (it sends 1-6, 8,
# 15, 16, 23 and 43), as a plant's "unexpected function" rules name them.
MODBUS_RARE_FUNCS = [7, 11, 12, 17, 20, 21, 22, 24, 90, 100, 125]
DNP3_FUNCS = [0, 1, 2, 3, 4, 5, 13, 14, 18, 20, 21, 129, 130]
IEC104_TYPES = [1, 3, 9, 11, 13, 30, 36, 45, 46, 47, 48, 49, 50, 100, 101, 103]
S7_FUNCS = [0x04, 0x05, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x28, 0x29, 0xF0]


def hexbytes(b):
    return "|" + " ".join(f"{x:02X}" for x in b) + "|"


def rare_literal(rng, lo=4, hi=12):
    n = rng.randint(lo, hi)
    while True:
        b = [rng.randrange(256) for _ in range(n)]
        b[0] = rng.randrange(0x80, 0x100)
        high = {x for x in b if x >= 0x80}
        if len(high) >= 3:
            return bytes(b)


def word_literal(rng):
    w = rng.choice(IT_WORDS) + rng.choice(["_", "-", "/", "."]) + "".join(
        rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(3, 7)))
    return w


def content_rule(rng, n):
    ics = rng.random() < 0.6
    port = rng.choice(ICS_PORTS if ics else IT_PORTS)
    parts = []
    ncontents = rng.choice([1, 1, 2, 2, 3])
    for i in range(ncontents):
        if ics or rng.random() < 0.3:
            raw = rare_literal(rng)
            lit, size = hexbytes(raw), len(raw)
            nocase = False
        else:
            lit = word_literal(rng)
            size = len(lit)
            nocase = rng.random() < 0.5
        opt = f'content:"{lit}";'
        if nocase:
            opt += " nocase;"
        # depth and within count from the start of the match, so they cover the whole literal.
        if i == 0:
            if rng.random() < 0.6:
                opt += f" offset:{rng.randint(0, 16)}; depth:{size + rng.randint(0, 48)};"
        else:
            opt += f" distance:{rng.randint(0, 8)}; within:{size + rng.randint(0, 40)};"
        parts.append(opt)
    r = rng.random()
    if r < 0.15:
        a, b = sorted(rng.sample(range(0x80, 0x100), 2))
        parts.append(f'pcre:"/\\x{a:02x}[\\x00-\\xff]{{{rng.randint(1, 6)},{rng.randint(7, 20)}}}\\x{b:02x}/R";')
    elif r < 0.30:
        op = rng.choice([">", "<", "=", "&"])
        parts.append(f"byte_test:{rng.choice([1, 2, 4])},{op},{rng.randint(1, 60000)},{rng.randint(0, 8)},relative;")
    flow = rng.choice(["flow:established,to_server; ", "flow:to_server; ", "flow:established,to_client; ", ""])
    direction = f"any any -> any {port}" if "to_client" not in flow else f"any {port} -> any any"
    what = "ICS" if ics else "IT"
    return f'alert tcp {direction} ({flow}msg:"BENCH {what} tcp/{port} content pattern {n}"; {" ".join(parts)}'


def modbus_address(rng):
    """A register address above the benchmark traffic's (which stay below 4 000)."""
    return rng.randint(4000, 60000)


def modbus_field_rule(rng, n):
    fc = rng.choice(MODBUS_FUNCS) if rng.random() < 0.8 else rng.choice(MODBUS_RARE_FUNCS)
    opts = [f"modbus.function: {fc};"]
    if fc in MODBUS_FUNCS:
        a = modbus_address(rng)
        opts.append(f"modbus.register.address: {a}-{a + rng.randint(0, 400)};")
    if rng.random() < 0.3:
        opts.append(f"modbus.unit: {rng.randint(11, 247)};")
    if fc in (6, 16) and rng.random() < 0.4:
        opts.append(f"modbus.register.value: >{rng.randint(1000, 65000)};")
    if rng.random() < 0.15:
        opts.append(f"modbus.exception: {rng.choice([1, 2, 3, 4, 6, 11])};")
    return f'alert modbus any any -> any any (msg:"BENCH Modbus fc {fc} field rule {n}"; {" ".join(opts)}'


def other_field_rule(rng, n):
    proto = rng.choice(["dnp3", "iec104", "s7comm"])
    if proto == "dnp3":
        fc = rng.choice(DNP3_FUNCS)
        opts = [f"dnp3.function: {fc};"]
        if rng.random() < 0.6:
            opts.append(f"dnp3.object.group: {rng.choice([1, 2, 10, 12, 20, 30, 32, 41, 50, 60, 70, 80])};")
        if rng.random() < 0.4:
            opts.append(f"dnp3.dst: {rng.randint(1, 65519)};")
        what = f"function {fc}"
    elif proto == "iec104":
        t = rng.choice(IEC104_TYPES)
        opts = [f"iec104.type_id: {t};"]
        if rng.random() < 0.5:
            opts.append(f"iec104.cot: {rng.choice([3, 5, 6, 7, 10, 20, 44, 45, 46, 47])};")
        if rng.random() < 0.5:
            a = rng.randint(0, 16000000)
            opts.append(f"iec104.ioa: {a}-{a + rng.randint(0, 1000)};")
        what = f"type {t}"
    else:
        fc = rng.choice(S7_FUNCS)
        opts = [f"s7comm.function: {fc};"]
        if fc in (0x04, 0x05) and rng.random() < 0.6:
            opts.append(f"s7comm.item.db: {rng.randint(1, 2000)};")
        if rng.random() < 0.3:
            opts.append(f"s7comm.rosctr: {rng.choice([1, 3, 7])};")
        what = f"function 0x{fc:02x}"
    return f'alert {proto} any any -> any any (msg:"BENCH {proto} {what} field rule {n}"; {" ".join(opts)}'


def suricata_modbus_rule(rng, n):
    k = rng.random()
    if k < 0.35:
        kw = f"modbus: function {rng.choice(MODBUS_RARE_FUNCS)};"
        if rng.random() < 0.3:
            kw = f"modbus: function 8, subfunction {rng.randint(5, 20)};"
    elif k < 0.85:
        access = rng.choice(["read", "write"])
        table = rng.choice(["coils", "holding"] if access == "write" else ["discretes", "coils", "input", "holding"])
        a = modbus_address(rng)
        kw = f"modbus: access {access} {table}, address {a}<>{a + rng.randint(2, 500)};"
        if access == "write" and table == "holding" and rng.random() < 0.4:
            kw = f"modbus: access write holding, address {a}, value >{rng.randint(1000, 65000)};"
    else:
        kw = f"modbus: unit {rng.randint(11, 247)};"
    return f'alert modbus any any -> any any (msg:"BENCH Suricata modbus keyword rule {n}"; {kw}'


def stateful_rule(rng, n):
    k = rng.random()
    port = rng.choice(ICS_PORTS)
    lit = hexbytes(rare_literal(rng, 4, 8))
    if k < 0.4:
        track = rng.choice(["by_src", "by_dst"])
        extra = f"threshold: type {rng.choice(['limit', 'threshold', 'both'])}, track {track}, count {rng.randint(1, 20)}, seconds {rng.randint(10, 600)};"
        return f'alert tcp any any -> any {port} (flow:to_server; msg:"BENCH thresholded pattern {n}"; content:"{lit}"; {extra}'
    if k < 0.6:
        extra = f"detection_filter: track by_src, count {rng.randint(2, 50)}, seconds {rng.randint(10, 300)};"
        return f'alert modbus any any -> any any (msg:"BENCH Modbus write burst {n}"; modbus.function: {rng.choice([5, 6, 15, 16])}; modbus.register.address: >{modbus_address(rng)}; {extra}'
    bit = f"bench.state{rng.randrange(50)}"
    if k < 0.8:
        return f'alert tcp any any -> any {port} (flow:established,to_server; msg:"BENCH flowbit set {n}"; content:"{lit}"; flowbits:set,{bit}; flowbits:noalert;'
    return f'alert tcp any {port} -> any any (flow:established,to_client; msg:"BENCH flowbit check {n}"; flowbits:isset,{bit}; content:"{lit}";'


MIX = [(0.40, content_rule), (0.70, modbus_field_rule), (0.85, other_field_rule), (0.95, suricata_modbus_rule), (1.0, stateful_rule)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--first-sid", type=int, default=3000000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    out.write(f"# bench/gen_rules.py {args.count} --seed {args.seed}: synthetic rules for the rule-count benchmark\n")
    seen = set()
    sid = args.first_sid
    while len(seen) < args.count:
        x = rng.random()
        gen = next(g for limit, g in MIX if x < limit)
        body = gen(rng, sid)
        key = body.split('msg:"', 1)[0] + body.split('"; ', 1)[1] if 'msg:"' in body else body
        if key in seen:
            continue
        seen.add(key)
        out.write(f"{body} classtype:{rng.choice(CLASSTYPES)}; sid:{sid}; rev:{rng.randint(1, 9)};)\n")
        sid += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
