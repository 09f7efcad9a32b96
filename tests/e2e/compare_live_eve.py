#!/usr/bin/python3
"""Compares the EVE records of a live capture with those of a replay of the same captures.

Usage: compare_live_eve.py REPLAY_EVE LIVE_EVE EXPECTED_PACKETS

Every protocol event and alert must appear in both, the same number of times. What legitimately
differs between a replay and a live capture is left out: timestamps, flow ids (numbered in order
of first packet, and the live capture may see other frames) and pcap_cnt (the live numbering is
per interface). The order is not compared: flows that end at shutdown are reported in flow-table
order. The live file must also hold stats records, the last of which counts every packet, and
none may show kernel drops. Standard library only.
"""
import json
import sys

IGNORED = {"timestamp", "flow_id", "pcap_cnt"}


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def load(path):
    records, stats = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                r = json.loads(line)
            except ValueError as e:
                sys.exit(f"FAIL: {path}:{n}: not JSON ({e})")
            if r.get("event_type") == "stats":
                stats.append(r)
            else:
                records.append(json.dumps(strip(r), sort_keys=True))
    return sorted(records), stats


def main():
    replay_path, live_path, expected_packets = sys.argv[1], sys.argv[2], int(sys.argv[3])
    replay, replay_stats = load(replay_path)
    live, stats = load(live_path)
    problems = []
    if not replay:
        problems.append(f"{replay_path}: no events at all")
    if replay_stats:
        problems.append(f"{replay_path}: replay wrote stats records")
    if replay != live:
        missing = sorted(set(replay) - set(live))
        extra = sorted(set(live) - set(replay))
        problems.append(f"events differ: replay {len(replay)}, live {len(live)}")
        for r in missing[:5]:
            problems.append(f"  only in replay: {r}")
        for r in extra[:5]:
            problems.append(f"  only in live:   {r}")
        if not missing and not extra:
            problems.append("  (the same records, a different number of times)")
    if len(stats) < 2:
        problems.append(f"{len(stats)} stats records; expected periodic ones and the final one")
    for s in stats:
        cap = s["stats"]["capture"]
        if cap["kernel_drops"] != 0:
            problems.append(f"kernel drops in {json.dumps(s)}")
        if sum(i["kernel_drops"] for i in cap["interfaces"]) != cap["kernel_drops"]:
            problems.append(f"interfaces do not add up in {json.dumps(s)}")
    if stats:
        last = stats[-1]["stats"]
        if last["engine"]["packets"] < expected_packets:
            problems.append(f"final stats record counts {last['engine']['packets']} packets, "
                            f"expected at least {expected_packets}")
        if last["capture"]["received"] < expected_packets:
            problems.append(f"final stats record: {last['capture']['received']} received")
    if problems:
        print("FAIL:", *problems, sep="\n", file=sys.stderr)
        sys.exit(1)
    kinds = {}
    for r in live:
        t = json.loads(r)["event_type"]
        kinds[t] = kinds.get(t, 0) + 1
    print(f"live == replay: {len(live)} records ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}); "
          f"{len(stats)} stats records, no kernel drops")


if __name__ == "__main__":
    main()
