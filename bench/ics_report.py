#!/usr/bin/python3
"""Counts and Markdown tables for bench/run_ics_bench.sh (stdlib only).

    ics_report.py count-eve EVE.json           events, PDUs and alerts per protocol in otsentry's EVE
    ics_report.py count-tshark FIELDS.tsv      PDUs per protocol in tshark -T fields output
    ics_report.py table WARM.json GEN.json ROWS.tsv      throughput table + "same work" table
    ics_report.py callgrind CG.tsv             instructions per packet

The counts print one JSON object. FIELDS.tsv has the columns frame.number, dnp3.al.func,
iec60870_104.type, s7comm.header.rosctr (one line per frame; a field that occurs several times
in a frame, e.g. two IEC 104 APDUs in one segment, is comma-separated). GEN.json is
gen_ics_capture.py's summary (may be missing or empty). ROWS.tsv: key, label, /usr/bin/time -v
file of the fastest run, counts JSON file (or empty), output bytes, combined stdout+stderr log,
command line, largest peak RSS in kB, wall seconds (finer than /usr/bin/time's). CG.tsv: key,
label, capture tag, packets, Ir on the capture, Ir on its first packet alone, events, command line.
"""

import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from replay_report import parse_time  # noqa: E402

PROTOS = ("dnp3", "iec104", "s7comm")
NAMES = {"dnp3": "DNP3", "iec104": "IEC 104", "s7comm": "S7comm"}
# tshark's iec60870_104.type: 0 I-format, 1 S-format, 3 U-format (printed as hex numbers)
APCI = {"0x00000000": "i", "0x00000001": "s", "0x00000003": "u", "0": "i", "1": "s", "3": "u",
        "I (0x00)": "i", "S (0x01)": "s", "U (0x03)": "u"}


def count_eve(path):
    """Per event_type: EVE records, and PDUs (each PDU object of an event carries its own
    pcap_cnt besides the record's, so PDUs = pcap_cnt keys - 1 per record)."""
    events, pdus, sigs = {}, {}, {}
    cotp = 0
    apci = {"i": 0, "u": 0}
    key = '"event_type":"'
    with open(path, errors="replace") as f:
        for line in f:
            i = line.find(key)
            if i < 0:
                continue
            i += len(key)
            t = line[i:line.index('"', i)]
            events[t] = events.get(t, 0) + 1
            if t == "alert":
                j = line.find('"signature":"')
                if j >= 0:
                    j += 13
                    s = line[j:line.index('"', j)]
                    sigs[s] = sigs.get(s, 0) + 1
            else:
                pdus[t] = pdus.get(t, 0) + line.count('"pcap_cnt":') - 1
                if t == "s7comm":  # COTP connection request/confirm PDUs inside S7comm events
                    cotp += line.count('"cotp":"CR"') + line.count('"cotp":"CC"')
                elif t == "iec104":
                    apci["i"] += line.count('"apci_type":"I"')
                    apci["u"] += line.count('"apci_type":"U"')
    return {"events": events, "pdus": pdus, "alerts": events.get("alert", 0), "alert_signatures": sigs,
            "records": sum(events.values()), "s7comm_cotp_cr_cc": cotp,
            "iec104_i": apci["i"], "iec104_u": apci["u"]}


def count_tshark(path):
    n = {"dnp3": 0, "iec104": 0, "iec104_i": 0, "iec104_s": 0, "iec104_u": 0, "s7comm": 0}
    lines = 0
    with open(path, errors="replace") as f:
        for line in f:
            lines += 1
            p = line.rstrip("\n").split("\t")
            if len(p) < 4:
                continue
            if p[1]:
                n["dnp3"] += p[1].count(",") + 1
            if p[2]:
                for v in p[2].split(","):
                    n["iec104"] += 1
                    k = APCI.get(v)
                    if k:
                        n["iec104_" + k] += 1
            if p[3]:
                n["s7comm"] += p[3].count(",") + 1
    return {"pdus": n, "records": n["dnp3"] + n["iec104"] + n["s7comm"], "lines": lines}


def read_rows(path):
    rows = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 8:
            continue
        key, label, tfile, cfile, ob, log, cmd, rss_max = f[:8]
        wall, cpu, rss = parse_time(tfile)
        if len(f) > 8 and f[8]:
            wall = max(float(f[8]), 1e-4)  # the script's own, finer wall clock
        counts = json.load(open(cfile)) if cfile and os.path.exists(cfile) else None
        rows.append(dict(key=key, label=label, wall=wall, cpu=cpu, rss=rss, rss_max=int(rss_max) / 1024,
                         counts=counts, out_bytes=int(ob or 0), cmd=cmd,
                         log=open(log, errors="replace").read() if os.path.exists(log) else ""))
    return rows


def fmt(n):
    return f"{n:,}".replace(",", " ")


def table(warm, gen, rows_path):
    counts = json.load(open(warm))
    pk, by = counts["packets"], counts["bytes"]
    g = {}
    if gen and os.path.exists(gen) and os.path.getsize(gen):
        g = json.load(open(gen))
    protos = [p for p in PROTOS if p in g.get("flows", {})] or list(PROTOS)
    rows = read_rows(rows_path)
    by_key = {r["key"]: r for r in rows}
    loop = by_key.get("loop")
    ts_fields = by_key.get("ts-fields")
    ts_pdus = ts_fields["counts"]["records"] if ts_fields and ts_fields["counts"] else None
    print(f"packets: {fmt(pk)}   captured bytes: {fmt(by)}   average {by / pk:.0f} bytes/packet"
          + ("   connections: " + ", ".join(f"{NAMES[p]} {fmt(g['flows'][p])}" for p in protos)
             if g.get("flows") else ""))
    print()
    print("| run | wall s | CPU s | packets/s | events/s | PDUs/s | peak RSS MiB | wall × loop | RSS × loop "
          "| DNP3 | IEC 104 | S7comm | output MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratios = (f"{r['wall'] / loop['wall']:.1f}", f"{r['rss'] / loop['rss']:.0f}") if loop else ("", "")
        c = r["counts"]
        per = ["", "", ""]
        evs = pds = ""
        if r["key"] == "ots" and c:
            evs = fmt(round(c["records"] / r["wall"]))
            pds = fmt(round(sum(c["pdus"].values()) / r["wall"]))
            per = [fmt(c["events"].get(p, 0)) if p in protos else "" for p in PROTOS]
        elif r["key"] == "ts-fields" and c:
            evs = pds = fmt(round(c["records"] / r["wall"]))
            per = [fmt(c["pdus"][p]) if p in protos else "" for p in PROTOS]
        elif r["key"] == "ts-phs" and ts_pdus is not None:
            evs = pds = f"({fmt(round(ts_pdus / r['wall']))})"
        out = f"{r['out_bytes'] / 1e6:,.0f}" if r["out_bytes"] else ""
        print(f"| {r['label']} | {r['wall']:.2f} | {r['cpu']:.2f} | {fmt(round(pk / r['wall']))} | {evs} | {pds} | "
              f"{r['rss']:,.1f} | {ratios[0]} | {ratios[1]} | {per[0]} | {per[1]} | {per[2]} | {out} |")
    print()
    print("events/s: otsentry, EVE records (protocol events + alerts) per wall second; tshark -T fields, "
          "application PDUs (non-empty key-field values) per wall second. PDUs/s: application PDUs per "
          "wall second, for otsentry those inside its events (an event holds a request with its "
          "response, or one unpaired PDU; IEC 104 S-frames make no event). In parentheses for the "
          "io,phs row: the fields row's PDU count over this row's wall time (same dissection, no "
          "per-PDU output). The DNP3 / IEC 104 / S7comm columns: otsentry's events per protocol and "
          "tshark's PDUs. wall × loop is wall time over pcap_loop's (packets/s is the inverse ratio); "
          "CPU counts every thread (user + sys). Wall times from the script's clock (process start "
          "to exit), CPU and peak RSS from /usr/bin/time -v.")
    same_work(g, protos, by_key)
    details(rows)


def same_work(g, protos, by_key):
    ots = by_key.get("ots")
    tsf = by_key.get("ts-fields")
    oc = ots["counts"] if ots else None
    tc = tsf["counts"] if tsf else None
    gp = g.get("pdus", {})
    print()
    print("Same work, per protocol: application PDUs written by the generator, PDUs tshark dissected "
          "(-T fields), and PDUs inside otsentry's events (each request/response/termination object "
          "of an event is one PDU):")
    print()
    print("| protocol | generated PDUs | tshark PDUs | otsentry PDUs in events | otsentry events | PDUs per event |")
    print("|---|---:|---:|---:|---:|---:|")
    for p in protos:
        gen = gp.get(p)
        tp = tc["pdus"].get(p) if tc else None
        op = oc["pdus"].get(p, 0) if oc else None
        oe = oc["events"].get(p, 0) if oc else None
        ratio = f"{op / oe:.2f}" if oe else ""
        if p == "s7comm" and op is not None and oc:
            op -= oc.get("s7comm_cotp_cr_cc", 0)  # the COTP set-up PDUs get their own line below
        print(f"| {NAMES[p]} | {fmt(gen) if gen is not None else ''} | {fmt(tp) if tp is not None else ''} | "
              f"{fmt(op) if op is not None else ''} | {fmt(oe) if oe is not None else ''} | {ratio} |")
        if p == "iec104":
            for k, name in (("i", "I-format"), ("s", "S-format"), ("u", "U-format")):
                gk = gp.get("iec104_" + k)
                tk = tc["pdus"].get("iec104_" + k) if tc else None
                ok = oc.get("iec104_" + k) if oc and k != "s" else None
                print(f"| — {name} | {fmt(gk) if gk is not None else ''} | {fmt(tk) if tk is not None else ''} "
                      f"| {'(no events)' if k == 's' else (fmt(ok) if ok is not None else '')} | | |")
        if p == "s7comm":
            gk = gp.get("cotp_cr_cc")
            ok = oc.get("s7comm_cotp_cr_cc") if oc else None
            print(f"| — and COTP CR/CC (not S7comm PDUs: not in the column above, nor in tshark's key field) | "
                  f"{fmt(gk) if gk is not None else ''} | | {fmt(ok) if ok is not None else ''} | | |")
    if oc is not None:
        missing = [NAMES[p] for p in protos if not oc["events"].get(p)]
        if missing:
            print()
            print(f"**otsentry wrote no events for {', '.join(missing)}**: see the \"otsentry recognises\" "
                  f"line above; without a registered dissector those connections are TCP flows only.")
        if oc["alerts"]:
            print()
            print("otsentry alerts: " + ", ".join(f"{s} {fmt(n)}" for s, n in
                                                  sorted(oc["alert_signatures"].items(), key=lambda x: -x[1])))
    if tc and gp:
        diffs = [f"{NAMES[p]} {tc['pdus'][p] - gp[p]:+,}" for p in protos if p in gp and tc["pdus"][p] != gp[p]]
        if diffs:
            print()
            print("tshark vs. generated: " + ", ".join(diffs) + " (see the notes in bench/README.md)")


def details(rows):
    print()
    print("Commands (F: files in bench/results/, deleted after counting unless --keep):")
    print()
    for r in rows:
        print(f"- {r['label']}: `{r['cmd']}`")
    for r in rows:
        if r["key"] == "ots":
            lines = [" ".join(ln.split()) for ln in r["log"].splitlines()
                     if ln.strip().split(":")[0] in ("flows", "events", "anomalies", "written", "tcp streams")]
            if lines:
                print()
                print("otsentry summary:")
                print()
                for ln in lines:
                    print(f"    {ln}")
        if r["key"] == "ts-phs" and r["log"]:
            lines = [ln.rstrip() for ln in r["log"].splitlines()
                     if "frames:" in ln and any(k in ln for k in ("dnp3", "iec60870_104", "s7comm", " tcp "))]
            if lines:
                print()
                print("tshark -z io,phs (frames per protocol; frames, not PDUs):")
                print()
                for ln in lines:
                    print(f"    {ln}")


def callgrind(path):
    rows = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 8:
            continue
        rows.append(dict(key=f[0], label=f[1], tag=f[2], packets=int(f[3]), ir=int(f[4]), ir0=int(f[5]),
                         events=f[6], cmd=f[7]))
    loops = {r["tag"]: r for r in rows if r["key"] == "loop"}
    print("| program | capture | packets | total Ir | Ir/packet | start-up Ir (1-packet capture) | "
          "Ir/packet net of start-up | net × loop | events or PDUs |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        n = r["packets"]
        net = (r["ir"] - r["ir0"]) / max(n - 1, 1)
        lp = loops.get(r["tag"])
        ratio = f"{net / ((lp['ir'] - lp['ir0']) / max(lp['packets'] - 1, 1)):.1f}" if lp else ""
        ev = fmt(int(r["events"])) if r["events"].isdigit() and r["key"] != "loop" else ""
        print(f"| {r['label']} | {r['tag']} | {fmt(n)} | {fmt(r['ir'])} | {fmt(round(r['ir'] / n))} | "
              f"{fmt(r['ir0'])} | {fmt(round(net))} | {ratio} | {ev} |")
    print()
    print("Ir counts every thread. Net of start-up: (Ir on the capture − Ir on the capture's first packet "
          "alone) / (packets − 1). Events: otsentry's EVE records; tshark: PDUs in its fields output.")
    print()
    print("Commands (OUT: a scratch directory):")
    print()
    for r in rows:
        print(f"- {r['label']} ({r['tag']}): `{r['cmd']}`")


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "count-eve":
        print(json.dumps(count_eve(a[1])))
    elif len(a) == 2 and a[0] == "count-tshark":
        print(json.dumps(count_tshark(a[1])))
    elif len(a) == 4 and a[0] == "table":
        table(a[1], a[2], a[3])
    elif len(a) == 2 and a[0] == "callgrind":
        callgrind(a[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
