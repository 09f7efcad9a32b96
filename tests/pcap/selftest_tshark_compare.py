#!/usr/bin/python3
"""Self-test of tshark_compare.py without otsentry: fake EVE files built from tshark.

    selftest_tshark_compare.py [--tshark PATH] CAPTURE[:PORT]...

For each capture, a fake EVE file is written from `tshark -T json` (a different tshark
output and parser than the comparator's PDML path), pairing requests and responses by
(flow, transaction id) as otsentry does. The comparator must call it identical. Then the
fake EVE is mutated (one PDU dropped, one function code changed, one PDU invented, every
event repeated inside an alert) and the comparator must report exactly those differences,
and accept them when they are listed in an allow-list.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "tshark_compare.py")


class Multi(list):
    """Values of a key repeated in one JSON object (several mbtcp/modbus layers in a frame)."""


def pairs_hook(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            if not isinstance(out[k], Multi):
                out[k] = Multi([out[k]])
            out[k].append(v)
        else:
            out[k] = v
    return out


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, Multi) else [v]


def fake_eve(tshark, capture, port):
    args = [tshark, "-n", "-r", capture, "-Y", "mbtcp", "-T", "json", "-j", "frame tcp ip mbtcp modbus"]
    if port != 502:
        args += ["-o", f"mbtcp.tcp.port:{port}"]
    out = subprocess.run(args, check=True, capture_output=True).stdout
    packets = json.loads(out, object_pairs_hook=pairs_hook)
    events, pending = [], {}
    flow_ids = {}
    for pkt in packets:
        layers = pkt["_source"]["layers"]
        frame = int(layers["frame"]["frame.number"])
        sport, dport = int(layers["tcp"]["tcp.srcport"]), int(layers["tcp"]["tcp.dstport"])
        src, dst = layers["ip"]["ip.src"], layers["ip"]["ip.dst"]
        is_req = dport == port
        client = (src, sport) if is_req else (dst, dport)
        flow = flow_ids.setdefault(client, len(flow_ids) + 1)
        mbtcps, modbuses = as_list(layers.get("mbtcp")), as_list(layers.get("modbus"))
        for i, m in enumerate(mbtcps):
            mb = modbuses[i] if i < len(modbuses) else {}
            pdu = {"transaction_id": int(m["mbtcp.trans_id"]), "unit_id": int(m["mbtcp.unit_id"]),
                   "pcap_cnt": frame}
            if "modbus.func_code" in mb:
                fc = int(mb["modbus.func_code"])
                if "modbus.exception_code" in mb:
                    pdu["exception_code"] = int(mb["modbus.exception_code"])
                    fc |= 0x80  # otsentry may keep the exception bit; the comparator masks it
                pdu["function_code"] = fc
            ev = {"timestamp": "1970-01-01T00:00:00.000000+0000", "event_type": "modbus",
                  "flow_id": flow, "src_ip": client[0], "src_port": client[1],
                  "dest_ip": dst if is_req else src, "dest_port": port, "proto": "TCP",
                  "app_proto": "modbus"}
            key = (flow, pdu["transaction_id"])
            if is_req:
                if key in pending:
                    events.append(pending.pop(key))
                ev["modbus"] = {"request": pdu}
                pending[key] = ev
            elif key in pending:
                ev = pending.pop(key)
                ev["modbus"]["response"] = pdu
                events.append(ev)
            else:
                ev["modbus"] = {"response": pdu}
                events.append(ev)
    events.extend(pending.values())
    return events


def write(path, events):
    with open(path, "w", encoding="utf-8") as f:
        for ev in events:
            f.write(json.dumps(ev) + "\n")


def run(capture, eve, tshark, allow=None):
    args = [sys.executable, COMPARE, capture, eve, "--tshark", tshark]
    if allow:
        args += ["--allow", allow]
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("captures", nargs="+", help="CAPTURE or CAPTURE:PORT")
    a = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in a.captures:
            cap, _, port = spec.partition(":")
            port = int(port or 502)
            base = os.path.basename(cap)
            events = fake_eve(a.tshark, cap, port)
            eve = os.path.join(tmp, "eve.json")
            write(eve, events)
            rc, out = run(cap, eve, a.tshark)
            ok = rc == 0 and "identical" in out
            print(f"[{'ok' if ok else 'FAIL'}] {base}: faithful fake EVE -> {out.splitlines()[0]}")
            failures += not ok

            # alerts repeating every event must not double-count
            alerts = []
            for ev in events:
                al = dict(ev, event_type="alert",
                          alert={"signature_id": 1, "rev": 1, "signature": "t", "category": "t",
                                 "severity": 3, "modbus": ev["modbus"]})
                al.pop("modbus")
                alerts.append(al)
            write(eve, events + alerts)
            rc, out = run(cap, eve, a.tshark)
            ok = rc == 0
            print(f"[{'ok' if ok else 'FAIL'}] {base}: events + repeating alerts -> {out.splitlines()[0]}")
            failures += not ok

            # mutations: drop a request, change a response's fc, invent a PDU
            mutated = json.loads(json.dumps(events))
            reqs = [e for e in mutated if "request" in e["modbus"]]
            resps = [e for e in mutated if "response" in e["modbus"]]
            dropped = reqs[0]["modbus"].pop("request")["pcap_cnt"]
            changed = resps[-1]["modbus"]["response"]
            changed["function_code"] = (changed.get("function_code", 0) + 1) & 0x7F
            changed_frame = changed["pcap_cnt"]
            mutated.append({"event_type": "modbus", "src_port": 40000, "dest_port": port,
                            "modbus": {"request": {"transaction_id": 4242, "unit_id": 9,
                                                   "function_code": 3, "pcap_cnt": 999999}}})
            write(eve, mutated)
            rc, out = run(cap, eve, a.tshark)
            want = [f"missing (tshark only) frame {dropped}:", f"mismatch frame {changed_frame}:",
                    "extra (otsentry only) frame 999999:"]
            ok = rc == 1 and all(w in out for w in want)
            print(f"[{'ok' if ok else 'FAIL'}] {base}: 3 mutations reported -> {out.splitlines()[0]}")
            if not ok:
                print(out)
            failures += not ok

            allow = os.path.join(tmp, "allow.txt")
            with open(allow, "w", encoding="utf-8") as f:
                f.write(f"# test\n{base} {dropped},{changed_frame} mutated on purpose\n"
                        f"*.pcap* 999990-999999 invented on purpose\n")
            rc, out = run(cap, eve, a.tshark, allow)
            ok = rc == 0 and out.count("explained:") == 3
            print(f"[{'ok' if ok else 'FAIL'}] {base}: allow-list explains them -> {out.splitlines()[0]}")
            if not ok:
                print(out)
            failures += not ok
    print("selftest:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
