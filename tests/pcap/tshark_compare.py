#!/usr/bin/python3
"""Compare otsentry's Modbus/TCP PDUs with Wireshark's (tshark), frame by frame.

    tshark_compare.py CAPTURE EVE [--tshark PATH] [--allow FILE] [--max-diffs 20]

Each side is reduced to a multiset of PDUs keyed by
(frame, transaction id, unit id, function code, exception code):

* tshark: `tshark -r CAPTURE -Y mbtcp -T pdml -j "mbtcp modbus"`. PDML keeps every
  Modbus/TCP PDU of a frame as its own <proto name="mbtcp"> element followed by its
  <proto name="modbus">, so frames carrying several PDUs (and exception codes present in
  only some of them) stay aligned, which `-T fields -E occurrence=a` cannot guarantee.
  Wireshark's modbus.func_code is the function code without the exception bit (0x80).
* otsentry: every `request`/`response` object of `modbus` events, with `pcap_cnt` as the
  frame. Every PDU otsentry frames is a protocol event; alerts are not counted: an anomaly
  alert may show, for the analyst, the fields of bytes that did not frame as Modbus at all
  (TLS or RPC on port 502, a bad protocol id), which are not PDUs.

Modbus on ports other than 502 is only decoded by tshark when told: the server ports seen
in the EVE file are passed as `-o mbtcp.tcp.port:P` (one non-502 port and no 502) or
`-d tcp.port==P,mbtcp` (several). Frames tshark marks as TCP retransmissions are
explained automatically (the reassembler delivers those bytes once) unless --strict-retrans.

The allow-list file explains known differences, one per line (# starts a comment):

    CAPTURE-BASENAME-OR-GLOB  FRAMES  reason text
    zeek_fuzz-72.pcap         12,14-16  fuzzed length; Wireshark decodes the garbage as a PDU
    *.pcap                    *         ...      (FRAMES "*" = every frame)

Exit status: 0 identical (apart from explained differences), 1 differences, 2 usage/tool error.
"""

import collections
import os
import sys
import xml.etree.ElementTree as ET

from tshark_common import (as_int, compare as compare_keys, eve_records, finish, load_allow,
                           report, retransmitted_frames, run_tshark, parse_args)

MODBUS_PORT = 502


# --------------------------------------------------------------------------- EVE side
def eve_pdus(path):
    """Return (Counter of PDU keys, set of server ports, list of unparsable-line messages)."""
    events = collections.Counter()
    ports = set()
    bad_lines = []
    for ev in eve_records(path, bad_lines):
        etype = ev.get("event_type")
        mb = None
        if etype == "modbus":
            mb = ev.get("modbus")
        if not isinstance(mb, dict):
            continue
        sp, dp = as_int(ev.get("src_port")), as_int(ev.get("dest_port"))
        if sp == MODBUS_PORT or dp == MODBUS_PORT:
            ports.add(MODBUS_PORT)
        elif dp is not None:
            ports.add(dp)
        for direction in ("request", "response"):
            pdu = mb.get(direction)
            if not isinstance(pdu, dict) or as_int(pdu.get("pcap_cnt")) is None:
                continue
            fc_raw = as_int(pdu.get("function_code"))
            exc = as_int(pdu.get("exception_code"))
            fc = None if fc_raw is None else fc_raw & 0x7F
            key = (as_int(pdu["pcap_cnt"]), as_int(pdu.get("transaction_id")),
                   as_int(pdu.get("unit_id")), fc, exc)
            events[key] += 1
    return events, ports, bad_lines


# ------------------------------------------------------------------------ tshark side
def tshark_port_args(ports):
    extra = sorted(p for p in ports if p != MODBUS_PORT)
    if not extra:
        return []
    if len(extra) == 1 and MODBUS_PORT not in ports:
        # Moving the mbtcp port preference keeps Wireshark's query/response classification;
        # Decode As alone leaves those PDUs "unable to classify as query or response".
        return ["-o", f"mbtcp.tcp.port:{extra[0]}"]
    args = []
    for p in extra:
        args += ["-d", f"tcp.port=={p},mbtcp"]
    return args


def tshark_pdus(tshark, capture, port_args):
    """Return (Counter of PDU keys, set of malformed frames, set of retransmitted frames)."""
    pdus = collections.Counter()
    malformed = set()
    proc = run_tshark(tshark, ["-r", capture, "-Y", "mbtcp", "-T", "pdml",
                               "-j", "mbtcp modbus _ws.malformed"] + port_args)
    for _, elem in ET.iterparse(proc.stdout, events=("end",)):
        if elem.tag != "packet":
            continue
        frame = None
        cur = None
        found = []
        for proto in elem.findall("proto"):
            name = proto.get("name")
            if name == "geninfo":
                for fld in proto.iter("field"):
                    if fld.get("name") == "num":
                        frame = int(fld.get("show"))
            elif name == "mbtcp":
                cur = {"tid": None, "unit": None, "fc": None, "exc": None}
                found.append(cur)
                for fld in proto.iter("field"):
                    n = fld.get("name")
                    if n == "mbtcp.trans_id":
                        cur["tid"] = as_int(fld.get("show"))
                    elif n == "mbtcp.unit_id":
                        cur["unit"] = as_int(fld.get("show"))
            elif name == "modbus" and cur is not None:
                for fld in proto.iter("field"):
                    n = fld.get("name")
                    if n == "modbus.func_code" and cur["fc"] is None:
                        v = as_int(fld.get("show"))
                        cur["fc"] = None if v is None else v & 0x7F
                    elif n == "modbus.exception_code" and cur["exc"] is None:
                        cur["exc"] = as_int(fld.get("show"))
            elif name == "_ws.malformed":
                malformed.add(frame)
        for p in found:
            pdus[(frame, p["tid"], p["unit"], p["fc"], p["exc"])] += 1
        elem.clear()
    warn = finish(proc, "pdml")

    retrans = retransmitted_frames(tshark, capture, port_args)
    return pdus, malformed, retrans, warn


# --------------------------------------------------------------------------- compare
def fmt(key):
    frame, tid, unit, fc, exc = key
    s = f"frame {frame}: tid={tid} unit={unit} fc={fc}"
    if exc is not None:
        s += f" exc={exc}"
    return s


def compare(ts, ours):
    """Yield (kind, frame, text) for every difference, frame by frame."""
    # Leftovers with the same transaction id are a field mismatch, not two PDUs.
    return compare_keys(ts, ours, lambda t, o: t[1] == o[1], fmt,
                        ((2, "unit_id"), (3, "function_code"), (4, "exception_code")))


def main():
    a = parse_args(__doc__, "comma-separated extra Modbus server ports (added to those in the EVE)")
    if a is None:
        return 2
    ours, ports, bad_lines = eve_pdus(a.eve)
    ports |= {int(p) for p in a.ports.split(",") if p.strip()}
    ts, malformed, retrans, warn = tshark_pdus(a.tshark, a.capture, tshark_port_args(ports))
    allow = load_allow(a.allow, a.capture)
    name = a.name or os.path.basename(a.capture)

    return report(name, "PDUs", sum(ts.values()), sum(ours.values()), compare(ts, ours), malformed,
                  allow, retrans, a.strict_retrans, bad_lines, warn, a.max_diffs)


if __name__ == "__main__":
    sys.exit(main())
