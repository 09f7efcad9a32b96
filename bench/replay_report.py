#!/usr/bin/python3
"""Markdown tables for bench/run_replay_bench.sh (stdlib only).

    replay_report.py table WARM.json ROWS.tsv                 side-by-side throughput
    replay_report.py concurrent WARM.json WARM_REF.json ROWS.tsv   peak memory, many flows
    replay_report.py callgrind PACKETS CG.tsv                 instructions per packet

WARM.json is pcap_loop's output on the capture (packets, bytes). ROWS.tsv has one line per run:
key, label, capture tag (main|ref), /usr/bin/time -v file (of the fastest run), Modbus events,
alerts, EVE bytes, DB bytes, combined stdout+stderr log, command line, largest peak RSS of all
runs in kB. CG.tsv: key, label, Ir on the capture,
Modbus events, Ir on the capture's first packet alone, command line.
"""

import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_time(path):
    d = {}
    for line in open(path):
        k, _, v = line.strip().rpartition(": ")
        d[k] = v
    w = [float(x) for x in d["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":")]
    wall = sum(v * 60 ** i for i, v in enumerate(reversed(w)))
    cpu = float(d["User time (seconds)"]) + float(d["System time (seconds)"])
    return max(wall, 1e-3), cpu, int(d["Maximum resident set size (kbytes)"]) / 1024


def read_rows(path):
    rows = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 10:
            continue
        key, label, tag, tfile, ev, al, eb, dbb, log, cmd = f[:10]
        wall, cpu, rss = parse_time(tfile)
        rss_max = int(f[10]) / 1024 if len(f) > 10 and f[10].isdigit() else rss
        text = open(log, errors="replace").read() if os.path.exists(log) else ""
        rows.append(dict(key=key, label=label, tag=tag, wall=wall, cpu=cpu, rss=rss, rss_max=rss_max, events=int(ev),
                         alerts=int(al), eve_bytes=int(eb), db_bytes=int(dbb), log=text, cmd=cmd,
                         stats=suricata_stats(os.path.splitext(tfile)[0] + ".stats")))
    return rows


def suricata_stats(path):
    """Final counters from Suricata's stats.log ("name | Total | value")."""
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path):
        p = [x.strip() for x in line.split("|")]
        if len(p) == 3 and p[1] == "Total":
            try:
                out[p[0]] = int(p[2])
            except ValueError:
                pass
    return out


def num(s):
    return int(s.replace(",", ""))


def peak_active(r):
    m = re.search(r"peak active ([\d,]+)", r["log"])
    return num(m.group(1)) if m else None


def summary_lines(r, names):
    return [" ".join(ln.split()) for ln in r["log"].splitlines() if ln.strip().split(":")[0] in names]


def is_suricata(r):
    return r["key"].startswith("suri")


def mib(b):
    return b / (1 << 20)


def table(warm, rows_path):
    counts = json.load(open(warm))
    pk, by = counts["packets"], counts["bytes"]
    rows = read_rows(rows_path)
    loop = next((r for r in rows if r["key"] == "loop"), None)
    print(f"packets: {pk:,}   captured bytes: {by:,}   average {by / pk:.0f} bytes/packet")
    print()
    print("| run | wall s | CPU s | packets/s | Gbit/s | peak RSS MiB | wall × loop | CPU × loop "
          "| RSS × loop | Modbus events | alerts | EVE MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if loop:
            ratios = (f"{r['wall'] / loop['wall']:.1f}", f"{r['cpu'] / max(loop['cpu'], 1e-3):.1f}",
                      f"{r['rss'] / loop['rss']:.0f}")
        else:
            ratios = ("", "", "")
        ev = f"{r['events']:,}" if r["key"] != "loop" else ""
        al = f"{r['alerts']:,}" if r["key"] != "loop" and not is_suricata(r) else ""
        eve = f"{mib(r['eve_bytes']):,.0f}" if r["eve_bytes"] else ""
        print(f"| {r['label']} | {r['wall']:.2f} | {r['cpu']:.2f} | {pk / r['wall']:,.0f} | "
              f"{by * 8 / r['wall'] / 1e9:.3f} | {r['rss']:,.1f} | {ratios[0]} | {ratios[1]} | "
              f"{ratios[2]} | {ev} | {al} | {eve} |")
    print()
    print("wall × loop: wall time over pcap_loop's (packets/s and Gbit/s are the inverse ratio). "
          "CPU counts every thread (user + sys). Gbit/s: captured bytes × 8 / wall.")
    details(rows)


def details(rows):
    print()
    print("Commands (F, D: files in bench/results/, deleted after counting unless --keep):")
    print()
    for r in rows:
        print(f"- {r['label']}: `{r['cmd']}`")
    print()
    for r in rows:
        if r["key"].startswith("suri"):
            s = r["stats"]
            if s:
                limits = ", ".join(f"{k} {v:,}" for k, v in sorted(s.items())
                                   if ("memcap" in k or "emerg" in k or "drop" in k) and "pressure" not in k and v)
                print(f"- {r['label']}: app_layer.flow.modbus {s.get('app_layer.flow.modbus', 0):,}, "
                      f"app_layer.tx.modbus {s.get('app_layer.tx.modbus', 0):,}, "
                      f"flow.total {s.get('flow.total', 0):,}; at exit flow.memuse "
                      f"{mib(s.get('flow.memuse', 0)):.1f} MiB, tcp.memuse {mib(s.get('tcp.memuse', 0)):.1f} MiB, "
                      f"tcp.reassembly_memuse {mib(s.get('tcp.reassembly_memuse', 0)):.1f} MiB; "
                      f"memcap/emergency/drop counters: {limits or 'none'}")
        elif r["key"] != "loop":
            lines = summary_lines(r, ("flows", "workers", "written", "tcp streams"))
            if lines:
                print(f"- {r['label']}: " + "; ".join(lines))
    if any(r["db_bytes"] for r in rows):
        for r in rows:
            if r["db_bytes"]:
                print(f"- {r['label']}: SQLite file {mib(r['db_bytes']):,.0f} MiB")


def source_constant(rel, pattern, default):
    """A constant from the source tree, e.g. 'size_t capacity = 1 << 18;' (digits, <<, *)."""
    try:
        m = re.search(pattern, open(os.path.join(ROOT, rel)).read())
        expr = m.group(1).replace("ull", "").replace("u", "")
        if re.fullmatch(r"[\d\s<*']+", expr):
            return int(eval(expr.replace("'", "")))  # digits and operators only
    except (OSError, AttributeError, SyntaxError, ValueError):
        pass
    return default


def concurrent(warm, warm_ref, rows_path):
    counts = json.load(open(warm))
    ref_counts = json.load(open(warm_ref))
    rows = read_rows(rows_path)
    for r in rows:  # memory: the largest peak of the repeated runs, not the fastest run's
        r["rss"] = r["rss_max"]
    cap = source_constant("capture/flow/flow_table.h", r"size_t capacity = ([^;]+);", 1 << 18)
    per_dir = source_constant("capture/stream/tcp_stream.h", r"max_held_bytes = ([^;]+);", 64 << 10)
    total = source_constant("capture/stream/tcp_stream.h", r"max_held_bytes_total = ([^;]+);", 64 << 20)
    queue = source_constant("alerts/writer.h", r"size_t queue_max = ([^;]+);", 1 << 16)
    print(f"capture: {counts['packets']:,} packets, {counts['bytes']:,} captured bytes; "
          f"reference: {ref_counts['packets']:,} packets")
    print()
    print("| run | capture | wall s (fastest) | packets/s | peak RSS MiB (largest) | RSS × loop | "
          "peak active flows | Modbus events |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    loop = next((r for r in rows if r["key"] == "loop"), None)
    for r in rows:
        pk = (counts if r["tag"] == "main" else ref_counts)["packets"]
        pa = peak_active(r)
        if is_suricata(r) and r["stats"]:
            pa_s = f"({r['stats'].get('flow.total', 0):,} flows seen)"
        else:
            pa_s = f"{pa:,}" if pa is not None else ""
        ratio = f"{r['rss'] / loop['rss']:.0f}" if loop else ""
        print(f"| {r['label']} | {'main' if r['tag'] == 'main' else 'reference'} | {r['wall']:.2f} | "
              f"{pk / r['wall']:,.0f} | {r['rss']:,.1f} | {ratio} | {pa_s} | {r['events']:,} |")
    by_key = {r["key"]: r for r in rows}
    print()
    print("What the peak RSS is made of (otsentry, default caps):")
    print()
    a, b = by_key.get("none-w1"), by_key.get("none-w1-ref")
    per_flow = None
    if a and b and peak_active(a) and peak_active(b) and peak_active(a) != peak_active(b):
        per_flow = (a["rss"] - b["rss"]) * (1 << 20) / (peak_active(a) - peak_active(b))
        print(f"- Flows: ({a['rss']:.1f} − {b['rss']:.1f}) MiB / ({peak_active(a):,} − {peak_active(b):,}) "
              f"flows = **{per_flow:,.0f} bytes per open flow** (no sink, workers 1; the extra flows are "
              f"TCP connections, 95 % Modbus: the flow-table node, the per-flow engine state with its "
              f"Modbus session and one pending-request slot, allocator overhead); {peak_active(a):,} "
              f"flows × {per_flow:,.0f} B = {peak_active(a) * per_flow / (1 << 20):,.1f} MiB.")
        print(f"- Everything else: {b['rss']:.1f} MiB on the 1 000-connection capture "
              f"(binary, libraries, dissector tables, the flow table's bucket array sized for its "
              f"capacity, the decoder).")
        print(f"- At the flow-table cap ({cap:,} flows) the same flows would take "
              f"{cap * per_flow / (1 << 20):,.0f} MiB: about {b['rss'] + cap * per_flow / (1 << 20):,.0f} MiB "
              f"in all, before stream buffers and the writer queue.")
    e = by_key.get("eve-w1")
    if a and e:
        print(f"- Writer queue: rendered records wait there for the writer thread (at most {queue:,}, "
              f"held twice while a batch is written). With no sink (records are still rendered, then "
              f"dropped) and with EVE only the writer keeps up: EVE − no sink = "
              f"{e['rss'] - a['rss']:+.1f} MiB.")
    for k in ("eve-wN", "db-w1"):
        r = by_key.get(k)
        if r and e:
            print(f"- {r['label']}: {r['rss']:.1f} MiB ({r['rss'] - e['rss']:+.1f} MiB vs. workers 1 with EVE).")
    held = [summary_lines(r, ("tcp streams",)) for r in rows if not is_suricata(r) and r["key"] != "loop"]
    if held and held[0]:
        print(f"- Stream buffers: only out-of-order data is held; this capture is in order "
              f"(`{held[0][0]}`), so they hold nothing. Caps: {per_dir // 1024} KiB per direction, "
              f"{total >> 20} MiB per engine (so {total >> 20} MiB × workers) across all flows.")
    print(f"- Caps: flow table {cap:,} flows (the least recently seen flow is evicted beyond it); "
          f"held stream bytes {per_dir // 1024} KiB per direction and {total >> 20} MiB per engine; "
          f"writer queue {queue:,} records.")
    details(rows)


def callgrind(packets, path):
    n = int(packets)
    rows = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) < 6:
            continue
        rows.append((f[0], f[1], int(f[2]), int(f[3]), int(f[4]), f[5]))
    loop = next((r for r in rows if r[0] == "loop"), None)
    print("| program | total Ir | Ir/packet | start-up Ir (1-packet capture) | Ir/packet net of start-up | "
          "net × loop | Modbus events |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key, label, ir, ev, ir0, _ in rows:
        net = (ir - ir0) / (n - 1)
        ratio = f"{net / ((loop[2] - loop[4]) / (n - 1)):.1f}" if loop else ""
        print(f"| {label} | {ir:,} | {ir / n:,.0f} | {ir0:,} | {net:,.0f} | {ratio} | "
              f"{ev:,} |" if key != "loop" else
              f"| {label} | {ir:,} | {ir / n:,.0f} | {ir0:,} | {net:,.0f} | {ratio} | |")
    print()
    print("Ir counts every thread. Net of start-up: (Ir on the capture − Ir on the capture's first "
          "packet alone) / (packets − 1), so a program's fixed start-up and shutdown cost (Suricata "
          "compiles its Hyperscan pattern databases, otsentry its own and the SQLite schema) does not "
          "count per packet.")
    print()
    print("Commands (OUT: a scratch directory):")
    print()
    for _, label, _, _, _, cmd in rows:
        print(f"- {label}: `{cmd}`")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "table" and len(sys.argv) == 4:
        table(sys.argv[2], sys.argv[3])
    elif mode == "concurrent" and len(sys.argv) == 5:
        concurrent(sys.argv[2], sys.argv[3], sys.argv[4])
    elif mode == "callgrind" and len(sys.argv) == 4:
        callgrind(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
