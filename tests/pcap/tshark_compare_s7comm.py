#!/usr/bin/python3
"""Compare otsentry's S7comm PDUs with Wireshark's (tshark), frame by frame.

    tshark_compare_s7comm.py CAPTURE EVE [--tshark PATH] [--allow FILE] [--max-diffs 20]
                             [--strict-retrans] [--name LABEL]

Each side is reduced to a multiset of S7 PDUs keyed by
(frame, ROSCTR, function, request items [(area, DB, byte address)], SZL id):

* tshark: `tshark -r CAPTURE -Y s7comm -T pdml -J "s7comm"`. PDML keeps every S7 PDU of a
  frame as its own <proto name="s7comm"> element. Items come from s7comm.param.item.area,
  .db and .address.byte (timers and counters: .address.number); the SZL id from
  s7comm.data.userdata.szl_id (the first in the PDU).
* otsentry: every `request`/`response` object of `s7comm` events that has a `rosctr` (COTP
  connection objects, `cotp`, are not S7 PDUs), with `pcap_cnt` as the frame: rosctr,
  function_code, items with an `area`, szl_id. Alerts are not counted.

tshark decodes TPKT on TCP 102 only; our probes decide by content. Other server ports of the
EVE's s7comm events are passed to tshark as -d tcp.port==P,tpkt, so the same flows are seen.
Frames tshark marks as TCP retransmissions are explained automatically unless --strict-retrans.
The allow-list has the format of tshark_common.load_allow: CAPTURE FRAMES reason.
tshark has no S7comm-plus dissector: there is no oracle for it.

Exit status: 0 identical (apart from explained differences), 1 differences, 2 usage/tool error.
"""

import collections
import os
import sys
import xml.etree.ElementTree as ET

from tshark_common import (as_int, compare, eve_records, finish, load_allow, report,
                           retransmitted_frames, run_tshark, parse_args)

TIMER_COUNTER_AREAS = {0x1C, 0x1D, 0x1E, 0x1F}


def key(frame, rosctr, function=None, items=(), szl=None):
    return (frame, rosctr, function, tuple(items), szl)


# --------------------------------------------------------------------------- EVE side
def eve_pdus(path):
    pdus = collections.Counter()
    bad_lines = []
    ports = set()
    for ev in eve_records(path, bad_lines):
        if ev.get("event_type") != "s7comm" or not isinstance(ev.get("s7comm"), dict):
            continue
        if as_int(ev.get("dest_port")) not in (None, 102):
            ports.add(as_int(ev["dest_port"]))
        for part in ("request", "response"):
            p = ev["s7comm"].get(part)
            if not isinstance(p, dict) or as_int(p.get("pcap_cnt")) is None or "rosctr" not in p:
                continue
            items = [(as_int(i.get("area")), as_int(i.get("db")), as_int(i.get("address")))
                     for i in p.get("items", []) if isinstance(i, dict) and "area" in i]
            pdus[key(as_int(p["pcap_cnt"]), as_int(p.get("rosctr")), as_int(p.get("function_code")),
                     items, as_int(p.get("szl_id")))] += 1
    return pdus, bad_lines, ports


def port_args(ports):
    """tshark decodes TPKT on TCP 102 only; other server ports we found S7comm on are passed
    as -d tcp.port==P,tpkt (COTP and S7comm follow by their heuristics)."""
    return [a for p in sorted(ports) for a in ("-d", f"tcp.port=={p},tpkt")]


# ------------------------------------------------------------------------ tshark side
def tshark_pdus(tshark, capture, ports=()):
    pdus = collections.Counter()
    malformed = set()
    proc = run_tshark(tshark, ["-r", capture, "-Y", "s7comm", "-T", "pdml", "-J", "s7comm _ws.malformed"]
                      + port_args(ports))
    for _, elem in ET.iterparse(proc.stdout, events=("end",)):
        if elem.tag != "packet":
            continue
        frame = None
        for proto in elem.findall("proto"):
            name = proto.get("name")
            if name == "geninfo":
                for fld in proto.iter("field"):
                    if fld.get("name") == "num":
                        frame = int(fld.get("show"))
            elif name == "s7comm":
                rosctr = func = szl = None
                items = []
                cur = None
                for fld in proto.iter("field"):
                    n = fld.get("name")
                    v = as_int(fld.get("show"))
                    if n == "s7comm.header.rosctr" and rosctr is None:
                        rosctr = v
                    elif n == "s7comm.param.func" and func is None:
                        func = v
                    elif n == "s7comm.param.item.area":
                        cur["area"] = v
                    elif n == "s7comm.param.item.db":
                        cur["db"] = v
                    elif n == "s7comm.param.item.address.byte" or n == "s7comm.param.item.address.number":
                        cur["address"] = v
                    elif n == "s7comm.param.item.syntaxid":
                        cur = {"syntax": v, "area": None, "db": None, "address": None}
                        items.append(cur)
                    elif n == "s7comm.data.userdata.szl_id" and szl is None:
                        szl = v
                s7any = [(i["area"], i["db"], i["address"]) for i in items if i["syntax"] == 0x10]
                pdus[key(frame, rosctr, func, s7any, szl)] += 1
            elif name == "_ws.malformed":
                malformed.add(frame)
        elem.clear()
    warn = finish(proc, "pdml")
    return pdus, malformed, retransmitted_frames(tshark, capture, port_args(ports)), warn


# ------------------------------------------------------------- fragmented SZL responses
def move_fragmented_szl(ts, ours):
    """A long SZL response comes in several userdata PDUs. tshark reassembles them and shows
    the SZL id only in the frame of the last fragment; we report it where it is on the wire, in
    the first fragment, and give the later fragments none. Such a pair (ours: id at A, none at
    B; tshark: none at A, id at B; B up to 12 frames after A) is compared at tshark's frames."""
    moved = 0
    for k in sorted([k for k in ours if k[1] == 7 and k[4] is not None], key=lambda x: x[0] or 0):
        a = k[0]
        if ours[k] <= ts.get(k, 0) or ts.get((a, 7, None, (), None), 0) <= ours.get((a, 7, None, (), None), 0):
            continue
        for b in range(a + 1, a + 13):
            tb = (b, 7, None, (), k[4])
            ob = (b, 7, None, (), None)
            if ts.get(tb, 0) > ours.get(tb, 0) and ours.get(ob, 0) > ts.get(ob, 0):
                for old, new in ((k, (a, 7, None, (), None)), (ob, tb)):
                    ours[old] -= 1
                    if ours[old] == 0:
                        del ours[old]
                    ours[new] += 1
                moved += 1
                break
    return moved


# ---------------------------------------------------------------- holes in the capture
def lost_segment_frames(tshark, capture, ports=()):
    """Frames tshark marks "previous segment not captured"."""
    proc = run_tshark(tshark, ["-r", capture, "-Y", "tcp.analysis.lost_segment", "-T", "fields",
                               "-e", "frame.number"] + port_args(ports))
    out, _ = proc.communicate()
    return {int(x) for x in out.decode().split() if x.isdigit()}


def realign_after_holes(ts, ours, lost):
    """Some ITI captures lack segments (tshark: "previous segment not captured"). tshark
    dissects the frame after the hole at once; our TCP reassembly holds those bytes until the
    hole is proven lost (the peer's next segment ACKs past it), so the PDU's pcap_cnt is a
    later frame, and every PDU behind it in that direction follows late. In a capture with
    holes, a PDU of ours whose identical key sits unmatched in tshark up to 4 frames earlier is
    counted at tshark's frame. Returns how many moved."""
    moved = 0
    for k in sorted(ours, key=lambda x: x[0] or 0):
        frame = k[0]
        while ours[k] > ts.get(k, 0):
            target = None
            for f in range(frame - 4, frame) if lost else ():
                cand = (f,) + k[1:]
                if ts.get(cand, 0) > ours.get(cand, 0):
                    target = cand
                    break
            if target is None:
                break
            ours[k] -= 1
            ours[target] += 1
            moved += 1
        if ours[k] == 0:
            del ours[k]
    return moved


# --------------------------------------------------------------------------- compare
def fmt(k):
    frame, rosctr, func, items, szl = k
    shown = ",".join(f"{a:#x}/{d}/{b}" if a is not None else "?" for a, d, b in items[:4])
    more = ",..." if len(items) > 4 else ""
    f = f"{func:#04x}" if func is not None else "-"
    return f"frame {frame}: rosctr={rosctr} function={f} items[{len(items)}]={shown}{more} szl={szl}"


def same_pdu(t, o):
    return t[1] == o[1]


MISMATCH_FIELDS = ((2, "function"), (3, "items"), (4, "szl_id"))


def main():
    a = parse_args(__doc__)
    if a is None:
        return 2
    ours, bad_lines, ports = eve_pdus(a.eve)
    ts, malformed, retrans, warn = tshark_pdus(a.tshark, a.capture, ports)
    szl_moved = move_fragmented_szl(ts, ours)
    held = realign_after_holes(ts, ours, lost_segment_frames(a.tshark, a.capture, ports))
    allow = load_allow(a.allow, a.capture)
    name = a.name or os.path.basename(a.capture)
    return report(name, "S7 PDUs", sum(ts.values()), sum(ours.values()),
                  compare(ts, ours, same_pdu, fmt, MISMATCH_FIELDS), malformed, allow, retrans,
                  a.strict_retrans, bad_lines, warn, a.max_diffs,
                  ([f"{held} PDUs after a capture hole counted in the frame tshark shows them in"] if held else [])
                  + ([f"{szl_moved} fragmented SZL responses: SZL id compared at tshark's reassembly frame"]
                     if szl_moved else []))


if __name__ == "__main__":
    sys.exit(main())
