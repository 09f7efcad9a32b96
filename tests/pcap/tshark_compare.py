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

import argparse
import collections
import fnmatch
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

MODBUS_PORT = 502


def as_int(v):
    if v is None or v == "":
        return None
    if isinstance(v, int):
        return v
    try:
        return int(str(v), 0)
    except ValueError:
        return None


# --------------------------------------------------------------------------- EVE side
def eve_pdus(path):
    """Return (Counter of PDU keys, set of server ports, list of unparsable-line messages)."""
    events = collections.Counter()
    ports = set()
    bad_lines = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                ev = json.loads(line)
            except json.JSONDecodeError as e:
                bad_lines.append(f"line {lineno}: {e.msg} at column {e.colno}: "
                                 f"...{line[max(0, e.pos - 40):e.pos + 20]}...")
                continue
            if not isinstance(ev, dict):
                continue
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


def run_tshark(tshark, args):
    cmd = [tshark, "-n", "-o", "tcp.analyze_sequence_numbers:TRUE"] + args
    try:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        sys.exit(f"error: cannot run {tshark}: {e}")


def finish(proc, what):
    _, err = proc.communicate()
    if proc.returncode != 0:
        msg = "\n".join(l for l in err.decode(errors="replace").splitlines()
                        if "could be dangerous" not in l)
        # tshark exits 2 on a truncated last record but has printed everything before it.
        if proc.returncode == 2 and "cut short in the middle of a packet" in msg:
            return msg.strip()
        sys.exit(f"error: tshark ({what}) failed with status {proc.returncode}: {msg}")
    return None


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

    retrans = set()
    proc = run_tshark(tshark, ["-r", capture, "-Y",
                               "tcp.analysis.retransmission || tcp.analysis.fast_retransmission"
                               " || tcp.analysis.spurious_retransmission",
                               "-T", "fields", "-e", "frame.number"] + port_args)
    out, _ = proc.communicate()
    for line in out.decode().split():
        if line.isdigit():
            retrans.add(int(line))
    return pdus, malformed, retrans, warn


# ------------------------------------------------------------------------- allow-list
def load_allow(path, capture):
    """Return list of (frames-or-None, reason) entries that apply to this capture."""
    entries = []
    if not path:
        return entries
    base = os.path.basename(capture)
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                sys.exit(f"error: {path}:{lineno}: want 'CAPTURE FRAMES reason'")
            pat, frames_s, reason = parts
            if not (fnmatch.fnmatch(base, pat) or fnmatch.fnmatch(capture, pat)):
                continue
            if frames_s == "*":
                entries.append((None, reason))
                continue
            frames = set()
            for item in frames_s.split(","):
                try:
                    if "-" in item:
                        lo, hi = item.split("-", 1)
                        frames.update(range(int(lo), int(hi) + 1))
                    else:
                        frames.add(int(item))
                except ValueError:
                    sys.exit(f"error: {path}:{lineno}: bad frame list {frames_s!r}")
            entries.append((frames, reason))
    return entries


def explain(frame, allow, retrans, strict_retrans):
    for frames, reason in allow:
        if frames is None or frame in frames:
            return reason
    if not strict_retrans and frame in retrans:
        return "tshark marks the frame as a TCP retransmission (reassembly delivers bytes once)"
    return None


# --------------------------------------------------------------------------- compare
def fmt(key):
    frame, tid, unit, fc, exc = key
    s = f"frame {frame}: tid={tid} unit={unit} fc={fc}"
    if exc is not None:
        s += f" exc={exc}"
    return s


def compare(ts, ours):
    """Yield (kind, frame, text) for every difference, frame by frame."""
    frames = sorted({k[0] for k in ts} | {k[0] for k in ours}, key=lambda x: (x is None, x))
    for frame in frames:
        t = collections.Counter({k: n for k, n in ts.items() if k[0] == frame})
        o = collections.Counter({k: n for k, n in ours.items() if k[0] == frame})
        common = t & o
        t_left = list((t - common).elements())
        o_left = list((o - common).elements())
        # Pair leftovers with the same transaction id: a field mismatch, not two PDUs.
        for tk in list(t_left):
            match = next((ok for ok in o_left if ok[1] == tk[1]), None)
            if match is None:
                continue
            t_left.remove(tk)
            o_left.remove(match)
            fields = []
            for i, name in ((2, "unit_id"), (3, "function_code"), (4, "exception_code")):
                if tk[i] != match[i]:
                    fields.append(f"{name} tshark={tk[i]} otsentry={match[i]}")
            yield ("mismatch", frame, f"mismatch {fmt(tk)}: " + ", ".join(fields))
        for tk in t_left:
            yield ("missing", frame, f"missing (tshark only) {fmt(tk)}")
        for ok in o_left:
            yield ("extra", frame, f"extra (otsentry only) {fmt(ok)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture")
    ap.add_argument("eve")
    ap.add_argument("--tshark", default="tshark", help="path of tshark (default: tshark)")
    ap.add_argument("--allow", help="allow-list file of explained differences")
    ap.add_argument("--max-diffs", type=int, default=20)
    ap.add_argument("--ports", default="",
                    help="comma-separated extra Modbus server ports (added to those in the EVE)")
    ap.add_argument("--strict-retrans", action="store_true",
                    help="do not explain differences in retransmitted frames automatically")
    ap.add_argument("--name", help="label for the summary line (default: capture basename)")
    a = ap.parse_args()

    for p in (a.capture, a.eve):
        if not os.path.isfile(p):
            print(f"error: no such file: {p}", file=sys.stderr)
            return 2
    ours, ports, bad_lines = eve_pdus(a.eve)
    ports |= {int(p) for p in a.ports.split(",") if p.strip()}
    ts, malformed, retrans, warn = tshark_pdus(a.tshark, a.capture, tshark_port_args(ports))
    allow = load_allow(a.allow, a.capture)
    name = a.name or os.path.basename(a.capture)

    explained, failing = [], []
    if bad_lines:
        failing.append(f"EVE is not JSON lines: {len(bad_lines)} unparsable lines, first {bad_lines[0]}")
    for kind, frame, text in compare(ts, ours):
        if frame in malformed:
            text += " [tshark: malformed]"
        reason = explain(frame, allow, retrans, a.strict_retrans)
        if reason:
            explained.append(f"explained: {text} -- {reason}")
        else:
            failing.append(text)

    n_ts, n_ours = sum(ts.values()), sum(ours.values())
    notes = []
    if bad_lines:
        notes.append(f"{len(bad_lines)} unparsable EVE lines")
    if warn:
        notes.append("tshark: " + warn.splitlines()[-1])
    note = f" ({'; '.join(notes)})" if notes else ""
    if not failing:
        extra = f", {len(explained)} explained" if explained else ""
        print(f"{name}: {n_ts} PDUs, identical{extra}{note}")
    else:
        print(f"{name}: {n_ts} PDUs in tshark, {n_ours} in otsentry, "
              f"{len(failing)} differences, {len(explained)} explained{note}")
    for line in explained[:a.max_diffs]:
        print("  " + line)
    if len(explained) > a.max_diffs:
        print(f"  ... {len(explained) - a.max_diffs} more explained")
    for line in failing[:a.max_diffs]:
        print("  " + line)
    if len(failing) > a.max_diffs:
        print(f"  ... {len(failing) - a.max_diffs} more differences")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
