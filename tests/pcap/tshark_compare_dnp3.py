#!/usr/bin/python3
"""Compare otsentry's DNP3 PDUs with Wireshark's (tshark), frame by frame.

    tshark_compare_dnp3.py CAPTURE EVE [--tshark PATH] [--allow FILE] [--max-diffs 20]
                           [--ports tcp:20001,udp:20005] [--strict-retrans]

Each side is reduced to a multiset of PDUs keyed by
(frame, source, destination, link PRM, link function, application function, IIN, objects):

* tshark: `tshark -r CAPTURE -Y dnp3 -T pdml -J "dnp3 _ws.malformed"`. Every link frame is a
  <proto name="dnp3"> element; the application layer (dnp3.al.func, dnp3.al.iin, one
  dnp3.al.obj per object header) appears in the element of the frame that completed the
  fragment. A link frame without user data is compared as a link-only PDU (function None).
  A frame that carries a transport segment but does not complete a fragment has no
  counterpart in EVE (one event per fragment): such segments are counted, not compared.
* otsentry: every `request`/`response` object of `dnp3` events, `pcap_cnt` being the frame:
  `src`, `dst`, `link.prm`, `link.function`, `function_code`, `iin`, and the (group,
  variation) of each entry of `objects`.

Object lists are compared up to otsentry's cap of 32 headers per fragment. Secure
authentication PDUs (functions 0x20, 0x21, 0x83) are compared without IIN and objects:
Wireshark 4.0 decodes neither for them (the count is printed as a note).

DNP3 on ports other than 20000 is decoded by tshark only when told: the server ports of the
EVE events (TCP or UDP) are passed as `-d tcp.port==P,dnp3` / `-d udp.port==P,dnp3`.

The allow-list (same format as the Modbus one, see tshark_common.load_allow) explains known
differences per capture and frame. Exit status: 0 identical (apart from explained
differences), 1 differences, 2 usage/tool error.
"""

import collections
import os
import sys
import xml.etree.ElementTree as ET

from tshark_common import (as_int, compare as compare_keys, eve_records, finish, load_allow, report,
                           retransmitted_frames, run_tshark, parse_args)

DNP3_PORT = 20000
MAX_OBJECTS = 32  # otsentry keeps this many object headers per fragment
AUTH_FUNCTIONS = {0x20, 0x21, 0x83}


def normalise(key):
    """Secure authentication PDUs: tshark 4.0 shows neither IIN nor objects for them."""
    frame, src, dst, prm, lfc, fc, iin, objs = key
    if fc in AUTH_FUNCTIONS:
        return (frame, src, dst, prm, lfc, fc, None, None), True
    return key, False


# --------------------------------------------------------------------------- EVE side
def eve_pdus(path):
    """Return (Counter of PDU keys, set of (transport, server port), unparsable-line messages)."""
    pdus = collections.Counter()
    ports = set()
    bad_lines = []
    for ev in eve_records(path, bad_lines):
        if ev.get("event_type") != "dnp3" or not isinstance(ev.get("dnp3"), dict):
            continue
        dp = as_int(ev.get("dest_port"))
        if dp is not None:
            ports.add(((ev.get("proto") or "TCP").lower(), dp))
        for side in ("request", "response"):
            pdu = ev["dnp3"].get(side)
            if not isinstance(pdu, dict) or as_int(pdu.get("pcap_cnt")) is None:
                continue
            link = pdu.get("link") or {}
            fc = as_int(pdu.get("function_code"))
            objs = None
            if fc is not None:
                objs = tuple((as_int(o.get("group")), as_int(o.get("variation")))
                             for o in pdu.get("objects", []) if isinstance(o, dict))
            key = (as_int(pdu["pcap_cnt"]), as_int(pdu.get("src")), as_int(pdu.get("dst")),
                   bool(link.get("prm")), as_int(link.get("function")), fc,
                   as_int(pdu.get("iin")), objs)
            pdus[key] += 1
    return pdus, ports, bad_lines


# ------------------------------------------------------------------------ tshark side
def tshark_port_args(ports):
    args = []
    for transport, port in sorted(ports):
        if port != DNP3_PORT and transport in ("tcp", "udp"):
            args += ["-d", f"{transport}.port=={port},dnp3"]
    return args


def tshark_pdus(tshark, capture, port_args):
    """Return (Counter of PDU keys, malformed frames, count of intermediate segments, warning)."""
    pdus = collections.Counter()
    malformed = set()
    segments = 0
    proc = run_tshark(tshark, ["-r", capture, "-Y", "dnp3", "-T", "pdml", "-J", "dnp3 _ws.malformed"]
                      + port_args)
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
            elif name == "_ws.malformed":
                malformed.add(frame)
            elif name == "dnp3":
                f = {"src": None, "dst": None, "ctl": None, "tr": False, "fc": None, "iin": None, "objs": []}
                for fld in proto.iter("field"):
                    n = fld.get("name")
                    if n == "dnp3.src" and f["src"] is None:
                        f["src"] = as_int(fld.get("show"))
                    elif n == "dnp3.dst" and f["dst"] is None:
                        f["dst"] = as_int(fld.get("show"))
                    elif n == "dnp3.ctl" and f["ctl"] is None:
                        f["ctl"] = as_int(fld.get("show"))
                    elif n == "dnp3.tr.ctl":
                        f["tr"] = True
                    elif n == "dnp3.al.func" and f["fc"] is None:
                        f["fc"] = as_int(fld.get("show"))
                    elif n == "dnp3.al.iin" and f["iin"] is None:
                        f["iin"] = as_int(fld.get("show"))
                    elif n == "dnp3.al.obj":
                        v = as_int(fld.get("show"))
                        if v is not None:
                            f["objs"].append((v >> 8, v & 0xFF))
                if f["ctl"] is None:
                    continue
                prm = (f["ctl"] & 0x40) != 0
                if f["fc"] is None:
                    if f["tr"]:
                        segments += 1  # part of a fragment completed elsewhere (or never)
                        continue
                    objs = None
                else:
                    objs = tuple(f["objs"][:MAX_OBJECTS])
                pdus[(frame, f["src"], f["dst"], prm, f["ctl"] & 0x0F, f["fc"], f["iin"], objs)] += 1
        elem.clear()
    warn = finish(proc, "pdml")
    return pdus, malformed, segments, warn


# --------------------------------------------------------------------------- compare
def fmt(key):
    frame, src, dst, prm, lfc, fc, iin, objs = key
    s = f"frame {frame}: {src}->{dst} link={'P' if prm else 'S'}{lfc}"
    if fc is not None:
        s += f" fc={fc}"
    if iin is not None:
        s += f" iin=0x{iin:04x}"
    if objs:
        s += " objs=" + ",".join(f"g{g}v{v}" for g, v in objs)
    return s


def same_pdu(t, o):
    return t[1:4] == o[1:4]


MISMATCH_FIELDS = [(4, "link_function"), (5, "function_code"), (6, "iin"), (7, "objects")]


def main():
    a = parse_args(__doc__, "extra DNP3 server ports, e.g. tcp:20001,udp:20005")
    if a is None:
        return 2
    ours, ports, bad_lines = eve_pdus(a.eve)
    for item in filter(None, (s.strip() for s in a.ports.split(","))):
        transport, _, port = item.partition(":")
        ports.add((transport, int(port)))
    port_args = tshark_port_args(ports)
    ts, malformed, segments, warn = tshark_pdus(a.tshark, a.capture, port_args)
    retrans = retransmitted_frames(a.tshark, a.capture, port_args)

    auth = 0
    norm_ts, norm_ours = collections.Counter(), collections.Counter()
    for src, dst in ((ts, norm_ts), (ours, norm_ours)):
        for k, n in src.items():
            nk, stripped = normalise(k)
            dst[nk] += n
            if stripped and src is ts:
                auth += n
    notes = []
    if segments:
        notes.append(f"{segments} intermediate transport segments")
    if auth:
        notes.append(f"{auth} authentication PDUs without IIN/objects")
    diffs = compare_keys(norm_ts, norm_ours, same_pdu, fmt, MISMATCH_FIELDS)
    return report(a.name or os.path.basename(a.capture), "PDUs", sum(ts.values()), sum(ours.values()), diffs,
                  malformed, load_allow(a.allow, a.capture), retrans, a.strict_retrans, bad_lines, warn,
                  a.max_diffs, notes)


if __name__ == "__main__":
    sys.exit(main())
