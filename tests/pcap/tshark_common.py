"""What the tshark oracles of every protocol share (tshark_compare.py for Modbus,
tshark_compare_iec104.py for IEC 104): running tshark, the frames it marks as TCP
retransmissions, reading EVE lines, the allow-list of explained differences, comparing two
multisets of PDU keys frame by frame, and the summary every oracle prints.

Nothing here knows a protocol: a PDU is a tuple whose first element is the frame number.
"""

import argparse
import collections
import fnmatch
import json
import os
import subprocess
import sys


def as_int(v):
    if v is None or v == "":
        return None
    if isinstance(v, int):
        return v
    try:
        return int(str(v), 0)
    except ValueError:
        return None


# ------------------------------------------------------------------------------ tshark
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


def retransmitted_frames(tshark, capture, port_args):
    """Frames tshark marks as TCP retransmissions (plain, fast or spurious)."""
    retrans = set()
    proc = run_tshark(tshark, ["-r", capture, "-Y",
                               "tcp.analysis.retransmission || tcp.analysis.fast_retransmission"
                               " || tcp.analysis.spurious_retransmission",
                               "-T", "fields", "-e", "frame.number"] + port_args)
    out, _ = proc.communicate()
    for line in out.decode().split():
        if line.isdigit():
            retrans.add(int(line))
    return retrans


# --------------------------------------------------------------------------------- EVE
def eve_records(path, bad_lines):
    """Yield every JSON object of an EVE file; unparsable lines are described in bad_lines."""
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
            if isinstance(ev, dict):
                yield ev


# -------------------------------------------------------------------------- allow-list
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


# ----------------------------------------------------------------------------- compare
def compare(ts, ours, same_pdu, fmt, mismatch_fields):
    """Yield (kind, frame, text) for every difference between two Counters of PDU keys.

    Per frame, equal keys cancel out. A leftover tshark key and a leftover otsentry key for
    which same_pdu(t, o) holds are one PDU read differently: a "mismatch" listing the
    mismatch_fields [(index, name)] that differ. The others are "missing" (tshark only) or
    "extra" (otsentry only). fmt(key) describes a key.
    """
    frames = sorted({k[0] for k in ts} | {k[0] for k in ours}, key=lambda x: (x is None, x))
    for frame in frames:
        t = collections.Counter({k: n for k, n in ts.items() if k[0] == frame})
        o = collections.Counter({k: n for k, n in ours.items() if k[0] == frame})
        common = t & o
        t_left = list((t - common).elements())
        o_left = list((o - common).elements())
        for tk in list(t_left):
            match = next((ok for ok in o_left if same_pdu(tk, ok)), None)
            if match is None:
                continue
            t_left.remove(tk)
            o_left.remove(match)
            fields = []
            for i, name in mismatch_fields:
                if tk[i] != match[i]:
                    fields.append(f"{name} tshark={tk[i]} otsentry={match[i]}")
            yield ("mismatch", frame, f"mismatch {fmt(tk)}: " + ", ".join(fields))
        for tk in t_left:
            yield ("missing", frame, f"missing (tshark only) {fmt(tk)}")
        for ok in o_left:
            yield ("extra", frame, f"extra (otsentry only) {fmt(ok)}")


def report(name, unit, n_ts, n_ours, diffs, malformed, allow, retrans, strict_retrans,
           bad_lines, warn, max_diffs, notes=()):
    """Print the summary line and the differences; return the exit status (0 or 1)."""
    explained, failing = [], []
    if bad_lines:
        failing.append(f"EVE is not JSON lines: {len(bad_lines)} unparsable lines, first {bad_lines[0]}")
    for kind, frame, text in diffs:
        if frame in malformed:
            text += " [tshark: malformed]"
        reason = explain(frame, allow, retrans, strict_retrans)
        if reason:
            explained.append(f"explained: {text} -- {reason}")
        else:
            failing.append(text)

    notes = list(notes)
    if bad_lines:
        notes.append(f"{len(bad_lines)} unparsable EVE lines")
    if warn:
        notes.append("tshark: " + warn.splitlines()[-1])
    note = f" ({'; '.join(notes)})" if notes else ""
    if not failing:
        extra = f", {len(explained)} explained" if explained else ""
        print(f"{name}: {n_ts} {unit}, identical{extra}{note}")
    else:
        print(f"{name}: {n_ts} {unit} in tshark, {n_ours} in otsentry, "
              f"{len(failing)} differences, {len(explained)} explained{note}")
    for line in explained[:max_diffs]:
        print("  " + line)
    if len(explained) > max_diffs:
        print(f"  ... {len(explained) - max_diffs} more explained")
    for line in failing[:max_diffs]:
        print("  " + line)
    if len(failing) > max_diffs:
        print(f"  ... {len(failing) - max_diffs} more differences")
    return 1 if failing else 0


def parse_args(doc, ports_help=None):
    """The command line every compare script shares: CAPTURE EVE [--tshark] [--allow]
    [--max-diffs] [--ports] [--strict-retrans] [--name]. Returns the arguments, or None (after
    saying why on stderr) when an input file is missing: the caller then exits 2."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture")
    ap.add_argument("eve")
    ap.add_argument("--tshark", default="tshark", help="path of tshark (default: tshark)")
    ap.add_argument("--allow", help="allow-list file of explained differences")
    ap.add_argument("--max-diffs", type=int, default=20)
    if ports_help is not None:
        ap.add_argument("--ports", default="", help=ports_help)
    ap.add_argument("--strict-retrans", action="store_true",
                    help="do not explain differences in retransmitted frames automatically")
    ap.add_argument("--name", help="label for the summary line (default: capture basename)")
    a = ap.parse_args()
    for p in (a.capture, a.eve):
        if not os.path.isfile(p):
            print(f"error: no such file: {p}", file=sys.stderr)
            return None
    return a
