#!/usr/bin/python3
"""Compare otsentry's IEC 60870-5-104 APDUs with Wireshark's (tshark), frame by frame.

    tshark_compare_iec104.py CAPTURE EVE [--tshark PATH] [--allow FILE] [--max-diffs 20]
                             [--ports 2405,...] [--strict-retrans] [--name LABEL]

Each side is reduced to a multiset of APDUs keyed by
(frame, APCI type, N(S), N(R), U function, type id, COT, common address, IOAs):

* tshark: `tshark -r CAPTURE -Y iec60870_104 -T pdml -J "iec60870_104 iec60870_asdu"`.
  PDML keeps every APDU of a frame as its own <proto name="iec60870_104"> element followed by
  its <proto name="iec60870_asdu">, so frames carrying several APDUs (the zeek capture has
  frames with up to 13) stay aligned; `-T fields` would merge the columns of all of them.
  iec60870_104.type is 0 (I), 1 (S) or 3 (U); iec60870_104.utype is control octet 1 >> 2.
* otsentry: every `request`/`response`/`termination` object of `iec104` events, with
  `pcap_cnt` as the frame (apci_type, tx_seq, rx_seq, u_function, type_id, cause,
  common_address, ioas). Alerts are not counted.

S-format APDUs produce no event by design (dissectors/iec104/README.md): tshark's are
counted and reported in the summary note, not compared.

IEC 104 on ports other than 2404 is decoded by tshark only when told: the server ports of the
EVE events (and --ports) are passed as `-d tcp.port==P,iec60870_104`. Frames tshark marks as
TCP retransmissions are explained automatically unless --strict-retrans. The allow-list has
the format of tshark_common.load_allow: CAPTURE FRAMES reason.

Exit status: 0 identical (apart from explained differences), 1 differences, 2 usage/tool error.
"""

import collections
import os
import sys
import xml.etree.ElementTree as ET

from tshark_common import (as_int, compare, eve_records, finish, load_allow, report,
                           retransmitted_frames, run_tshark, parse_args)

IEC104_PORT = 2404
# tshark's UType (control octet 1 >> 2) -> our u_function
U_NAMES = {0x01: "startdt_act", 0x02: "startdt_con", 0x04: "stopdt_act", 0x08: "stopdt_con",
           0x10: "testfr_act", 0x20: "testfr_con"}
APCI = {0: "I", 1: "S", 3: "U"}


def key(frame, apci, tx=None, rx=None, u=None, type_id=None, cot=None, ca=None, ioas=()):
    return (frame, apci, tx, rx, u, type_id, cot, ca, tuple(ioas))


# --------------------------------------------------------------------------- EVE side
def eve_apdus(path):
    """Return (Counter of APDU keys, set of server ports, list of unparsable-line messages)."""
    apdus = collections.Counter()
    ports = set()
    bad_lines = []
    for ev in eve_records(path, bad_lines):
        if ev.get("event_type") != "iec104" or not isinstance(ev.get("iec104"), dict):
            continue
        sp, dp = as_int(ev.get("src_port")), as_int(ev.get("dest_port"))
        if sp == IEC104_PORT or dp == IEC104_PORT:
            ports.add(IEC104_PORT)
        elif dp is not None:
            ports.add(dp)
        for part in ("request", "response", "termination"):
            p = ev["iec104"].get(part)
            if not isinstance(p, dict) or as_int(p.get("pcap_cnt")) is None:
                continue
            apci = p.get("apci_type")
            if apci == "U":
                k = key(as_int(p["pcap_cnt"]), "U", u=p.get("u_function"))
            else:
                ioas = [as_int(i) for i in p.get("ioas", [])] if apci == "I" else ()
                k = key(as_int(p["pcap_cnt"]), apci, as_int(p.get("tx_seq")), as_int(p.get("rx_seq")),
                        None, as_int(p.get("type_id")), as_int(p.get("cause")),
                        as_int(p.get("common_address")), ioas)
            apdus[k] += 1
    return apdus, ports, bad_lines


# ------------------------------------------------------------------------ tshark side
def tshark_port_args(ports):
    args = []
    for p in sorted(p for p in ports if p != IEC104_PORT):
        args += ["-d", f"tcp.port=={p},iec60870_104"]
    return args


def tshark_apdus(tshark, capture, port_args):
    """Return (Counter of I/U keys, Counter of S keys, malformed frames, retransmitted frames, warning)."""
    apdus = collections.Counter()
    s_frames = collections.Counter()
    malformed = set()
    proc = run_tshark(tshark, ["-r", capture, "-Y", "iec60870_104", "-T", "pdml",
                               "-J", "iec60870_104 iec60870_asdu _ws.malformed"] + port_args)
    for _, elem in ET.iterparse(proc.stdout, events=("end",)):
        if elem.tag != "packet":
            continue
        frame = None
        found = []
        cur = None
        for proto in elem.findall("proto"):
            name = proto.get("name")
            if name == "geninfo":
                for fld in proto.iter("field"):
                    if fld.get("name") == "num":
                        frame = int(fld.get("show"))
            elif name == "iec60870_104":
                cur = {"type": None, "tx": None, "rx": None, "u": None, "asdu": None}
                found.append(cur)
                for fld in proto.iter("field"):
                    n = fld.get("name")
                    if n == "iec60870_104.type":
                        cur["type"] = as_int(fld.get("show"))
                    elif n == "iec60870_104.tx":
                        cur["tx"] = as_int(fld.get("show"))
                    elif n == "iec60870_104.rx":
                        cur["rx"] = as_int(fld.get("show"))
                    elif n == "iec60870_104.utype":
                        cur["u"] = as_int(fld.get("show"))
            elif name == "iec60870_asdu" and cur is not None and cur["asdu"] is None:
                asdu = {"typeid": None, "cot": None, "ca": None, "ioas": []}
                cur["asdu"] = asdu
                for fld in proto.iter("field"):
                    n = fld.get("name")
                    if n == "iec60870_asdu.typeid" and asdu["typeid"] is None:
                        asdu["typeid"] = as_int(fld.get("show"))
                    elif n == "iec60870_asdu.causetx" and asdu["cot"] is None:
                        asdu["cot"] = as_int(fld.get("show"))
                    elif n == "iec60870_asdu.addr" and asdu["ca"] is None:
                        asdu["ca"] = as_int(fld.get("show"))
                    elif n == "iec60870_asdu.ioa":
                        asdu["ioas"].append(as_int(fld.get("show")))
            elif name == "_ws.malformed":
                malformed.add(frame)
        for a in found:
            apci = APCI.get(a["type"] if a["type"] is not None else -1, "?")
            if apci == "S":
                s_frames[key(frame, "S", rx=a["rx"])] += 1
            elif apci == "U":
                apdus[key(frame, "U", u=U_NAMES.get(a["u"], "unknown"))] += 1
            else:
                asdu = a["asdu"] or {"typeid": None, "cot": None, "ca": None, "ioas": []}
                apdus[key(frame, apci, a["tx"], a["rx"], None, asdu["typeid"], asdu["cot"], asdu["ca"],
                          asdu["ioas"])] += 1
        elem.clear()
    warn = finish(proc, "pdml")
    return apdus, s_frames, malformed, retransmitted_frames(tshark, capture, port_args), warn


# --------------------------------------------------------------------------- compare
def fmt(k):
    frame, apci, tx, rx, u, type_id, cot, ca, ioas = k
    if apci == "U":
        return f"frame {frame}: U {u}"
    if apci == "S":
        return f"frame {frame}: S rx={rx}"
    shown = ",".join(str(i) for i in ioas[:4]) + (",..." if len(ioas) > 4 else "")
    return f"frame {frame}: I tx={tx} rx={rx} type={type_id} cot={cot} ca={ca} ioas[{len(ioas)}]={shown}"


def same_apdu(t, o):
    # The same APCI type and sequence numbers in one frame: one APDU read differently.
    return t[1] == o[1] and t[2] == o[2] and t[3] == o[3]


MISMATCH_FIELDS = ((4, "u_function"), (5, "type_id"), (6, "cause"), (7, "common_address"), (8, "ioas"))


def main():
    a = parse_args(__doc__, "comma-separated extra IEC 104 server ports (added to those in the EVE)")
    if a is None:
        return 2
    ours, ports, bad_lines = eve_apdus(a.eve)
    ports |= {int(p) for p in a.ports.split(",") if p.strip()}
    ts, s_frames, malformed, retrans, warn = tshark_apdus(a.tshark, a.capture, tshark_port_args(ports))
    allow = load_allow(a.allow, a.capture)
    name = a.name or os.path.basename(a.capture)
    notes = [f"{sum(s_frames.values())} S-format APDUs not compared: no events by design"] if s_frames else []
    return report(name, "I/U APDUs", sum(ts.values()), sum(ours.values()),
                  compare(ts, ours, same_apdu, fmt, MISMATCH_FIELDS), malformed, allow, retrans,
                  a.strict_retrans, bad_lines, warn, a.max_diffs, notes)


if __name__ == "__main__":
    sys.exit(main())
