#!/usr/bin/python3
"""Markdown table for bench/run_rules_bench.sh (stdlib only).

    rules_report.py WARM.json ROWS.tsv

WARM.json is pcap_loop's output on the capture (packets, bytes). ROWS.tsv has one line per rule
count: count, /usr/bin/time -v file of the fastest run, protocol events, rule alerts, anomaly
alerts (gid 2), compile ms, Hyperscan bytes, rules loaded ("-" for the 0-rule row), command
line, largest peak RSS of all runs in kB.
Prints the table and whether the 10 000-rule row (the largest count) stays within 2x of the
0-rule row's throughput.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from replay_report import parse_time  # noqa: E402  (same /usr/bin/time -v parsing as the replay bench)

MAX_SLOWDOWN = 2.0


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    warm = json.load(open(sys.argv[1]))
    packets, nbytes = warm["packets"], warm["bytes"]
    rows = []
    for line in open(sys.argv[2]):
        f = line.rstrip("\n").split("\t")
        if len(f) < 10:
            continue
        count, tfile, ev, al, an, cms, hsb, loaded, cmd, rss_max = f[:10]
        wall, cpu, rss = parse_time(tfile)
        rows.append(dict(count=int(count), wall=wall, cpu=cpu, rss=int(rss_max) / 1024 if rss_max.isdigit() else rss,
                         events=int(ev), alerts=int(al), anomalies=int(an), compile_ms=cms, hs_bytes=hsb, loaded=loaded, cmd=cmd))
    if not rows:
        print("no runs", file=sys.stderr)
        return 1
    base = next((r for r in rows if r["count"] == 0), None)

    print(f"capture: {packets:,} packets, {nbytes:,} bytes")
    print()
    print("| rules | loaded | wall s | packets/s | Gbit/s | ratio to 0 rules | peak RSS MiB | compile ms | Hyperscan bytes | events | rule alerts | anomalies |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        pps = packets / r["wall"]
        gbps = nbytes * 8 / r["wall"] / 1e9
        ratio = f"{base['wall'] / r['wall']:.2f}" if base else "-"
        hs = f"{int(r['hs_bytes']):,}" if r["hs_bytes"].isdigit() else r["hs_bytes"]
        loaded = f"{int(r['loaded']):,}" if r["loaded"].isdigit() else r["loaded"]
        print(f"| {r['count']:,} | {loaded} | {r['wall']:.2f} | {pps:,.0f} | {gbps:.3f} | {ratio} | {r['rss']:.0f} | "
              f"{r['compile_ms']} | {hs} | {r['events']:,} | {r['alerts']:,} | {r['anomalies']:,} |")
    print()
    print("ratio to 0 rules: throughput with the rules over throughput without (1.00 = no cost; 0.50 = twice as slow). "
          "Gbit/s: captured bytes x 8 / wall. peak RSS: largest of the runs. compile ms, Hyperscan bytes: "
          "`otsentry rules check --stats` (fastest compile of the runs). events / rule alerts / anomalies: EVE lines of the fastest run (protocol events; alerts of the rules; built-in protocol-anomaly alerts, gid 2).")
    top = max(rows, key=lambda r: r["count"])
    if base and top["count"] > 0:
        slowdown = top["wall"] / base["wall"]
        verdict = "within" if slowdown <= MAX_SLOWDOWN else "NOT within"
        print()
        print(f"**{top['count']:,} rules: {slowdown:.2f}x the wall time of no rules -- {verdict} the {MAX_SLOWDOWN:.0f}x bar.**")
    print()
    print("Commands:")
    print()
    for r in rows:
        print(f"- {r['count']:,} rules: `{r['cmd']}`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
