#!/usr/bin/python3
"""Differential test of otsentry's rule engine against Suricata 7.

    suricata_diff.py --otsentry BIN [--shared DIR] [--keep DIR] [--only CAPTURE-GLOB]
                     [--suricata-only] [--json FILE] [--table FILE] [--cache DIR] [--jobs N]
                     [--var NAME=VALUE ...] [--explained FILE] [--suricata BIN]

1. Rules: every *.rules file under SHARED/rules. Each logical rule (continuation lines joined,
   comments skipped) is written on its own line of a probe file, with its sid made unique so
   that a sid shared by several rules does not make either engine refuse the later ones.
   `suricata -T` on the probe file names the rules Suricata rejects ("error parsing signature
   ... at line N"); `otsentry rules check --var ... probe.rules` names the rules otsentry rejects
   or cannot evaluate (`file:line: sid N: reason`). The rules both accept go into one combined
   file: a rule whose text repeats an earlier one is dropped, a rule whose sid an earlier,
   different rule already has gets a new sid from 9 000 001 up (both are reported).
2. Captures: every pcap/pcapng under SHARED/pcaps and SHARED/rules (Quickdraw's test captures),
   non-capture files skipped by their magic number. Each is run through Suricata
   (`-c suricata-diff.yaml -S combined.rules -k none --runmode single`) and otsentry
   (`replay --db '' --eve F --rules combined.rules --var ...`); alerts are counted per (capture,
   gid:sid); otsentry's gid 2 (built-in protocol anomalies) is ignored. A capture Suricata cannot
   read is reported and skipped.
3. Every (capture, sid) whose counts differ must be explained by a line of
   suricata_diff_explained.txt (`capture-glob sid suricata_count otsentry_count reason`, `*` for
   any sid or count); an unexplained one is printed as `capture sid: suricata N, otsentry M` and
   fails the test.
   One class is recognised mechanically and printed as "explained (stream)": an `alert tcp`
   payload rule (no app-layer keyword) on which Suricata raised every alert otsentry raised, at
   the same pcap_cnt, and each extra Suricata alert carries "stream": 1 in its eve.json (written
   because suricata-diff.yaml logs alert payloads): Suricata's stream inspection matched the
   reassembled data again, on the ACK after the data or at flow end (no pcap_cnt); otsentry
   inspects packets only. A capture otsentry cannot read for its link type (PPP ...) is skipped
   when Suricata raised no alert on it, and fails the test otherwise.

Variables: the `vars` of suricata-diff.yaml, passed to otsentry as `--var NAME=VALUE`; --var
overrides one on both sides (Suricata gets `--set vars.address-groups.NAME=VALUE`, or
port-groups when the yaml lists NAME there or the value looks like ports).

Exit status: 0 all agree or are explained, 1 an unexplained difference or an error, 2 usage,
77 Suricata (7 or later) is missing.

--suricata-only runs only the Suricata side (no --otsentry needed; every rule Suricata accepts is
used) and writes per-capture, per-sid counts to --json (default CACHE/suricata-alerts.json) and a
markdown table to --table when given. Suricata's results are cached in --cache (default
$XDG_CACHE_HOME/otsentry/suricata-diff), keyed by Suricata's version, the config, the variables,
the rule text and the capture's bytes, so a second run only replays otsentry.
"""

import argparse
import concurrent.futures
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "suricata-diff.yaml"
EXPLAINED = HERE / "suricata_diff_explained.txt"
SKIP = 77
RENUMBER_BASE = 9000001
PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d", b"\x0a\x0d\x0d\x0a"}
ACTIONS = ("alert", "drop", "pass", "log", "reject", "sdrop", "block", "rejectsrc", "rejectdst", "rejectboth")


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


# ------------------------------------------------------------------------------ rules


class Rule:
    """One logical rule of a rule file."""

    def __init__(self, path, first, last, text):
        self.path = path  # as given (relative to SHARED when under it)
        self.first = first  # 1-based physical lines
        self.last = last
        self.text = text
        self.sid = None
        self.gid = 1
        self.sid_span = None  # (start, end) of the sid value in text
        self.msg = ""
        self.suricata_reason = None  # None: accepted
        self.otsentry_reason = None
        parse_options(self)

    @property
    def where(self):
        return f"{self.path}:{self.first}"

    def with_sid(self, sid):
        if self.sid_span is None:
            return self.text
        a, b = self.sid_span
        return self.text[:a] + str(sid) + self.text[b:]


def split_options(body):
    """(name, value, value_start) for each `name[:value];` option of a rule body, with quotes and
    backslash escapes respected. value_start is an offset into body."""
    out = []
    i, n = 0, len(body)
    while i < n:
        while i < n and body[i] in " \t;":
            i += 1
        if i >= n:
            break
        start = i
        in_quote = False
        while i < n:
            c = body[i]
            if c == "\\" and i + 1 < n:
                i += 2
                continue
            if c == '"':
                in_quote = not in_quote
            elif c == ";" and not in_quote:
                break
            i += 1
        opt = body[start:i]
        if ":" in opt:
            name, _, _ = opt.partition(":")
            colon = start + opt.index(":") + 1
            value = body[colon:i]
            lead = len(value) - len(value.lstrip())
            out.append((name.strip(), value.strip(), colon + lead))
        else:
            out.append((opt.strip(), "", None))
        i += 1
    return out


def parse_options(rule):
    text = rule.text
    open_paren = text.find("(")
    close_paren = text.rfind(")")
    if open_paren < 0 or close_paren < open_paren:
        return
    body = text[open_paren + 1 : close_paren]
    for name, value, vstart in split_options(body):
        lname = name.lower()
        if lname == "sid" and rule.sid is None and re.fullmatch(r"\d+", value):
            rule.sid = int(value)
            a = open_paren + 1 + vstart
            rule.sid_span = (a, a + len(value))
        elif lname == "gid" and re.fullmatch(r"\d+", value):
            rule.gid = int(value)
        elif lname == "msg" and not rule.msg:
            rule.msg = value.strip('"')


def read_rules(path, label):
    """Logical rules of one file, as Suricata's loader reads it: a line ending in a backslash
    continues on the next, blank lines and lines starting with '#' are skipped."""
    rules = []
    lines = path.read_text(encoding="utf-8", errors="surrogateescape").split("\n")
    i = 0
    while i < len(lines):
        first = i
        text = lines[i].rstrip("\r")
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1] + lines[i].rstrip("\r")
        i += 1
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        rules.append(Rule(label, first + 1, i, stripped))
    return rules


def normalize(text):
    return re.sub(r"\s+", " ", text.strip())


# ------------------------------------------------------------------------------ variables


def read_yaml_vars(path):
    """The vars: address-groups / port-groups of a Suricata yaml (just that block, so PyYAML is
    not needed). Returns {name: (kind, value)}."""
    out = {}
    section = None
    kind = None
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        key, sep, value = line.strip().partition(":")
        if indent == 0:
            section = key if sep else None
            kind = None
            continue
        if section != "vars":
            continue
        if indent <= 2 and not value.strip():
            kind = key
            continue
        if kind in ("address-groups", "port-groups"):
            out[key] = (kind, value.strip().strip('"').strip("'"))
    return out


def var_kind(name, value, yaml_vars):
    if name in yaml_vars:
        return yaml_vars[name][0]
    return "port-groups" if re.fullmatch(r"[\d\s,:\[\]!$A-Z_]+", value) and not re.search(r"[./]", value) and re.search(r"\d", value) else "address-groups"


# ------------------------------------------------------------------------------ Suricata


def suricata_version(binary):
    try:
        out = subprocess.run([binary, "-V"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"version (\d+)\.(\d+)\.(\d+)", out)
    return m.group(0).split()[1] if m else None


class Suricata:
    def __init__(self, binary, version, overrides, yaml_vars):
        self.binary = binary
        self.version = version
        self.set_args = []
        for name, value in overrides.items():
            self.set_args += ["--set", f"vars.{var_kind(name, value, yaml_vars)}.{name}={value}"]

    def base(self, rules_file, logdir):
        return [self.binary, "-c", str(CONFIG), "-S", str(rules_file), "-k", "none", "-l", str(logdir)] + self.set_args

    def rejected_lines(self, rules_file, workdir):
        """{line: reason} of the rules `suricata -T` rejects in rules_file."""
        logdir = Path(workdir) / "suricata-T"
        logdir.mkdir(parents=True, exist_ok=True)
        p = subprocess.run(self.base(rules_file, logdir) + ["-T"], capture_output=True, text=True, timeout=600)
        out = p.stdout + p.stderr
        rejected = {}
        reasons = []
        # A rule naming an app-layer event this Suricata does not have (rule files from a newer
        # Suricata) loads with a warning and can never fire: count it as rejected.
        self.missing_events = set()
        for line in out.splitlines():
            m = re.search(r'protocol "([\w-]+)" doesn\'t have event "([\w-]+)" registered', line)
            if m:
                self.missing_events.add(f"{m.group(1)}.{m.group(2)}")
                continue
            m = re.search(r"error parsing signature .* from file (.*) at line (\d+)\s*$", line)
            if m:
                rejected[int(m.group(2))] = "; ".join(reasons) or "rejected"
                reasons = []
                continue
            m = re.match(r"(?:E|Error): ([\w-]+): (.*)", line)
            if m and "Loading signatures failed" not in line:
                reasons.append(re.sub(r'"alert .*', "...", m.group(2)).strip())
        if p.returncode != 0 and not rejected:
            die(f"suricata -T failed without naming a rule:\n{out[-3000:]}")
        return rejected

    def run(self, rules_file, capture, logdir):
        """Alerts of one capture: ({(gid, sid): [pcap_cnt, ...]}, error or None)."""
        logdir.mkdir(parents=True, exist_ok=True)
        # Suricata appends to an existing eve.json (a --keep folder reused by a second run).
        (logdir / "eve.json").unlink(missing_ok=True)
        cmd = self.base(rules_file, logdir) + ["-r", str(capture), "--runmode", "single"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        out = p.stdout + p.stderr
        errors = [l for l in out.splitlines() if re.match(r"(E|Error): ", l)]
        if p.returncode != 0 or any(re.search(r"pcap|datalink|decode", l, re.I) for l in errors):
            return {}, (errors[-1] if errors else f"exit status {p.returncode}") + f" ({' '.join(map(str, cmd))})"
        return count_alerts(logdir / "eve.json", ignore_gid=None, with_stream=True), None


def count_alerts(eve, ignore_gid, with_stream=False):
    """{(gid, sid): [pcap_cnt, ...]}; with_stream: [(pcap_cnt, stream), ...], stream being
    Suricata's "stream": 1 on an alert its stream inspection raised (written with payload: yes)."""
    alerts = defaultdict(list)
    if not eve.exists():
        return alerts
    with open(eve, encoding="utf-8", errors="replace") as f:
        for line in f:
            if '"alert"' not in line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if rec.get("event_type") != "alert":
                continue
            a = rec.get("alert", {})
            gid = int(a.get("gid", 1))
            if gid == ignore_gid:
                continue
            key = (gid, int(a.get("signature_id", 0)))
            if with_stream:
                alerts[key].append((rec.get("pcap_cnt"), bool(rec.get("stream"))))
            else:
                alerts[key].append(rec.get("pcap_cnt"))
    return alerts


# ------------------------------------------------------------------------------ otsentry


class Otsentry:
    def __init__(self, binary, variables):
        self.binary = binary
        self.var_args = []
        for name, value in variables.items():
            self.var_args += ["--var", f"{name}={value}"]

    def rejected_lines(self, rules_file):
        """{line: reason} of the rules `otsentry rules check` rejects or cannot evaluate."""
        cmd = [self.binary, "rules", "check"] + self.var_args + [str(rules_file)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        out = p.stdout + p.stderr
        rejected = {}
        name = str(rules_file)
        for line in out.splitlines():
            m = re.match(r"(.*?):(\d+): sid (\d+): (.*)$", line)
            if m and (m.group(1) == name or Path(m.group(1)).name == Path(name).name):
                rejected[int(m.group(2))] = m.group(4).strip()
        if p.returncode not in (0, 1) or (p.returncode != 0 and not rejected):
            die(
                f"`{' '.join(cmd)}` failed (exit {p.returncode}) without naming a rule -- does this otsentry "
                f"have `rules check` and `--var` yet?\n{out[-3000:]}"
            )
        return rejected

    def run(self, rules_file, capture, eve):
        cmd = [self.binary, "replay", "--db", "", "--eve", str(eve), "--rules", str(rules_file), "--progress", "never", "-q"]
        cmd += self.var_args + [str(capture)]
        if eve.exists():
            eve.unlink()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if p.returncode != 0:
            msg = (p.stderr or p.stdout).strip().splitlines()
            hint = ""
            if p.returncode == 2 and "--rules" in (p.stderr + p.stdout):
                hint = " (this otsentry does not take --rules yet)"
            return {}, f"exit status {p.returncode}{hint}: {msg[-1] if msg else ''} ({' '.join(cmd)})"
        return count_alerts(eve, ignore_gid=2), None


# ------------------------------------------------------------------------------ explanations


class Explanation:
    def __init__(self, lineno, glob, sid, suri, ots, reason):
        self.lineno = lineno
        self.glob = glob
        self.sid = sid
        self.suri = suri
        self.ots = ots
        self.reason = reason
        self.used = 0

    def matches(self, capture, sid_label, suri, ots):
        def count_ok(pattern, n):
            return pattern == "*" or pattern == str(n)

        return (
            fnmatch.fnmatchcase(capture, self.glob)
            and (self.sid == "*" or self.sid == sid_label)
            and count_ok(self.suri, suri)
            and count_ok(self.ots, ots)
        )


def read_explanations(path):
    out = []
    if not path.exists():
        return out
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 4)
        if len(parts) < 5 or not parts[4].strip():
            die(f"{path}:{n}: want `capture-glob sid suricata_count otsentry_count reason`")
        glob, sid, suri, ots, reason = parts
        for v in (suri, ots):
            if v != "*" and not v.isdigit():
                die(f"{path}:{n}: a count is a number or *, not {v!r}")
        if sid != "*" and not re.fullmatch(r"(\d+:)?\d+", sid):
            die(f"{path}:{n}: sid is N, GID:N or *, not {sid!r}")
        out.append(Explanation(n, glob, sid, suri, ots, reason))
    return out


# ------------------------------------------------------------------------------ main


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def is_capture(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) in PCAP_MAGICS
    except OSError:
        return False


APP_KEYWORDS = re.compile(r"(?:^|[;(\s])(app-layer-event|app-layer-protocol|dnp3_\w+|modbus|enip_\w+|cip_\w+)\s*:")


def is_stream_rule(rule):
    """An `alert tcp` rule of payload keywords only, which Suricata inspects against the packet
    and the reassembled stream. An app-layer rule is not: Suricata writes "stream": 1 on its
    transaction matches too."""
    head = rule.text.split("(", 1)[0].split()
    return len(head) >= 2 and head[1].lower() == "tcp" and not APP_KEYWORDS.search(rule.text)


def stream_only_extra(extra, streamed):
    """True when every alert in `extra` (a Counter of pcap_cnt: the alerts only Suricata raised)
    was raised by Suricata's stream inspection: "stream": 1 in its eve.json, at that pcap_cnt
    (None: at flow end) as many times as it is extra."""
    have = Counter(streamed)
    return all(have[cnt] >= n for cnt, n in extra.items())


def sid_label(key):
    gid, sid = key
    return str(sid) if gid == 1 else f"{gid}:{sid}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--otsentry", help="the otsentry binary (required unless --suricata-only)")
    ap.add_argument("--shared", default=str(HERE.parents[2] / "shared"), help="the shared data folder (default ../shared)")
    ap.add_argument("--keep", help="keep the rule files, EVE outputs and logs in this folder")
    ap.add_argument("--only", action="append", help="only captures whose path relative to SHARED matches this glob (repeatable)")
    ap.add_argument("--suricata-only", action="store_true", help="run only the Suricata side and write --json")
    ap.add_argument("--json", help="per-capture, per-sid Suricata counts (--suricata-only; default CACHE/suricata-alerts.json)")
    ap.add_argument("--table", help="also write the markdown table of what Suricata fires to this file (--suricata-only)")
    ap.add_argument("--cache", default=os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "otsentry", "suricata-diff"))
    ap.add_argument("--jobs", type=int, default=2, help="captures run at once (default 2)")
    ap.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="override a variable on both sides")
    ap.add_argument("--explained", default=str(EXPLAINED), help="explanations file (default tests/rules/suricata_diff_explained.txt)")
    ap.add_argument("--suricata", default=shutil.which("suricata"), help="the suricata binary (default: suricata on PATH)")
    args = ap.parse_args()
    if not args.suricata_only and not args.otsentry:
        ap.error("--otsentry BIN is required (or --suricata-only)")

    if not args.suricata or not os.access(args.suricata, os.X_OK):
        print("SKIP: suricata is not installed (scripts/install-deps installs Suricata 7)")
        return SKIP
    version = suricata_version(args.suricata)
    if not version or int(version.split(".")[0]) < 7:
        print(f"SKIP: {args.suricata} is version {version or 'unknown'}, not 7 or later")
        return SKIP
    if args.otsentry and not os.access(args.otsentry, os.X_OK):
        die(f"{args.otsentry} is not an executable")

    shared = Path(args.shared).resolve()
    if not (shared / "rules").is_dir() or not (shared / "pcaps").is_dir():
        die(f"{shared} has no rules/ and pcaps/")
    os.environ["TZ"] = "UTC"
    os.environ["LC_ALL"] = "C"

    yaml_vars = read_yaml_vars(CONFIG)
    overrides = {}
    for v in args.var:
        name, sep, value = v.partition("=")
        if not sep or not name:
            ap.error(f"--var wants NAME=VALUE, not {v!r}")
        overrides[name] = value
    variables = {k: kv[1] for k, kv in yaml_vars.items()}
    variables.update(overrides)

    suri = Suricata(args.suricata, version, overrides, yaml_vars)
    ots = Otsentry(args.otsentry, variables) if args.otsentry else None

    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="suricata-diff."))
    work.mkdir(parents=True, exist_ok=True)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    try:
        return run(args, shared, work, cache, suri, ots, version, variables)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(args, shared, work, cache, suri, ots, version, variables):
    config_hash = hashlib.sha256(CONFIG.read_bytes() + version.encode() + json.dumps(sorted(suri.set_args)).encode()).hexdigest()

    # -------------------------------------------------------------------- 1. rules
    rule_files = sorted((shared / "rules").rglob("*.rules"))
    rules = []
    for f in rule_files:
        rules += read_rules(f, str(f.relative_to(shared)))
    probe = work / "probe.rules"
    probe.write_text("".join(r.with_sid(1000000 + i) + "\n" for i, r in enumerate(rules)))

    probe_hash = hashlib.sha256(probe.read_bytes() + config_hash.encode()).hexdigest()
    probe_cache = cache / f"probe-{probe_hash[:24]}.json"
    if probe_cache.exists():
        suri_rejected = {int(k): v for k, v in json.loads(probe_cache.read_text()).items()}
    else:
        suri_rejected = suri.rejected_lines(probe, work)
        for i, r in enumerate(rules, 1):
            for ev in re.findall(r"app-layer-event\s*:\s*([\w.-]+)", r.text):
                if ev in suri.missing_events:
                    suri_rejected[i] = f"app-layer-event {ev} does not exist in Suricata {version} (the rule never fires)"
        probe_cache.write_text(json.dumps(suri_rejected, indent=0, sort_keys=True))
    for line, reason in suri_rejected.items():
        rules[line - 1].suricata_reason = reason

    if ots:
        for line, reason in ots.rejected_lines(probe).items():
            if 1 <= line <= len(rules):
                rules[line - 1].otsentry_reason = reason

    selected, dropped, renumbered = [], [], []
    seen_text = {}
    seen_sid = {}
    next_sid = RENUMBER_BASE
    used_sids = {(r.gid, r.sid) for r in rules}
    for r in rules:
        if r.suricata_reason is not None or r.otsentry_reason is not None or r.sid is None:
            continue
        key = normalize(r.with_sid(0))
        if key in seen_text and (r.gid, r.sid) == (seen_text[key].gid, seen_text[key].sid):
            dropped.append((r, seen_text[key]))
            continue
        seen_text.setdefault(key, r)
        r.final_sid = r.sid
        if (r.gid, r.sid) in seen_sid:
            while (r.gid, next_sid) in used_sids:
                next_sid += 1
            r.final_sid = next_sid
            used_sids.add((r.gid, next_sid))
            renumbered.append((r, seen_sid[(r.gid, r.sid)]))
        seen_sid[(r.gid, r.final_sid)] = r
        selected.append(r)

    combined = work / "combined.rules"
    with open(combined, "w") as f:
        f.write("# tests/rules/suricata_diff.py: the rules of ../shared/rules that Suricata")
        f.write(" and otsentry both accept\n" if ots else " accepts\n")
        for r in selected:
            note = f" (sid {r.sid} renumbered)" if r.final_sid != r.sid else ""
            f.write(f"# {r.where}{note}\n{r.with_sid(r.final_sid)}\n")
    by_key = {(r.gid, r.final_sid): r for r in selected}

    n_suri_ok = sum(r.suricata_reason is None for r in rules)
    print(f"rules: {len(rules)} in {len(rule_files)} files; Suricata {version} accepts {n_suri_ok}", end="")
    if ots:
        print(f", otsentry accepts {sum(r.otsentry_reason is None for r in rules)}", end="")
    print(f"; compared: {len(selected)}")
    for r, first in dropped:
        print(f"  duplicate dropped: {r.where} sid {r.sid} repeats {first.where}")
    for r, first in renumbered:
        print(f"  sid collision: {r.where} sid {r.sid} (also {first.where}) renumbered to {r.final_sid}")
    if ots:
        for r in rules:
            if r.suricata_reason is None and r.otsentry_reason is not None:
                print(f"  only Suricata accepts {r.where} sid {r.sid}: otsentry: {r.otsentry_reason}")
            elif r.suricata_reason is not None and r.otsentry_reason is None:
                print(f"  only otsentry accepts {r.where} sid {r.sid}: suricata: {r.suricata_reason}")
        # The combined file must load cleanly in both engines.
        again = ots.rejected_lines(combined)
        if again:
            die(f"otsentry rejects rules of the combined file it accepted one by one: {again}")
    if suri.rejected_lines(combined, work):
        die("Suricata rejects rules of the combined file it accepted one by one")
    rules_hash = hashlib.sha256(combined.read_bytes()).hexdigest()

    # -------------------------------------------------------------------- 2. captures
    captures = []
    for sub in ("pcaps", "rules"):
        for p in sorted((shared / sub).rglob("*")):
            if not p.is_file():
                continue
            rel = str(p.relative_to(shared))
            if args.only and not any(fnmatch.fnmatchcase(rel, g) for g in args.only):
                continue
            if is_capture(p):
                captures.append((rel, p))
    if not captures:
        die("no capture matches" + (f" --only {args.only}" if args.only else ""))

    def suricata_side(item):
        rel, path = item
        key = hashlib.sha256((config_hash + rules_hash + sha256_file(path)).encode()).hexdigest()
        cfile = cache / "captures" / f"{key[:32]}.json"
        if cfile.exists():
            d = json.loads(cfile.read_text())
        else:
            logdir = work / "suricata" / rel.replace("/", "__")
            alerts, err = suri.run(combined, path, logdir)
            d = {"error": err, "alerts": {f"{g}:{s}": [list(x) for x in v] for (g, s), v in alerts.items()}}
            cfile.parent.mkdir(parents=True, exist_ok=True)
            cfile.write_text(json.dumps(d))
        alerts = {tuple(map(int, k.split(":"))): [x[0] for x in v] for k, v in d["alerts"].items()}
        streamed = {tuple(map(int, k.split(":"))): [x[0] for x in v if x[1]] for k, v in d["alerts"].items()}
        return rel, (alerts, streamed), d["error"]

    def otsentry_side(item):
        rel, path = item
        eve = work / "otsentry" / (rel.replace("/", "__") + ".eve.json")
        eve.parent.mkdir(parents=True, exist_ok=True)
        alerts, err = ots.run(combined, path, eve)
        if not args.keep and eve.exists():
            eve.unlink()
        return rel, alerts, err

    print(f"captures: {len(captures)}; running Suricata ...", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        suri_results, suri_streamed = {}, {}
        for rel, (a, st), e in pool.map(suricata_side, captures):
            suri_results[rel] = (a, e)
            suri_streamed[rel] = st
    unreadable = sorted(rel for rel, (_, e) in suri_results.items() if e)
    for rel in unreadable:
        print(f"  skipped, Suricata cannot read it: {rel}: {suri_results[rel][1]}")
    readable = [(rel, p) for rel, p in captures if rel not in unreadable]

    if args.suricata_only:
        return report_suricata(args, cache, version, variables, rules, selected, by_key, readable, suri_results, unreadable)

    print("running otsentry ...", flush=True)
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        ots_results = {rel: (a, e) for rel, a, e in pool.map(otsentry_side, readable)}

    # -------------------------------------------------------------------- 3. compare
    explanations = read_explanations(Path(args.explained))
    failures, explained, stream_explained, ots_unreadable, agreed = [], [], [], [], 0
    total_suri = total_ots = 0
    for rel, _ in readable:
        s_alerts, _ = suri_results[rel]
        o_alerts, o_err = ots_results[rel]
        if o_err:
            # A link type otsentry's capture layer does not decode (PPP, ...): nothing to compare
            # as long as Suricata raised no alert on the capture either; otherwise a failure.
            if "unsupported link type" in o_err and not s_alerts:
                ots_unreadable.append((rel, o_err.split(" (")[0]))
                continue
            failures.append(f"{rel}: otsentry replay failed: {o_err}")
            continue
        unknown = [k for k in o_alerts if k not in by_key]
        for k in sorted(unknown):
            failures.append(f"{rel} {sid_label(k)}: otsentry raised {len(o_alerts[k])} alert(s) for a sid not in the combined rules")
        for k in sorted(set(s_alerts) | set(o_alerts)):
            if k in unknown:
                continue
            ns, no = len(s_alerts.get(k, [])), len(o_alerts.get(k, []))
            total_suri += ns
            total_ots += no
            if ns == no:
                agreed += 1
                continue
            label = sid_label(k)
            sp = Counter(x for x in s_alerts.get(k, []))
            op = Counter(x for x in o_alerts.get(k, []))
            if (
                ns > no
                and k in by_key
                and is_stream_rule(by_key[k])
                and not (op - sp)
                and stream_only_extra(sp - op, suri_streamed[rel].get(k, []))
            ):
                stream_explained.append((rel, label, ns, no))
                continue
            hit = next((e for e in explanations if e.matches(rel, label, ns, no)), None)
            if hit:
                hit.used += 1
                explained.append((rel, label, ns, no, hit))
                continue
            only_s = sorted((sp - op).elements(), key=lambda x: (x is None, x))[:8]
            only_o = sorted((op - sp).elements(), key=lambda x: (x is None, x))[:8]
            r = by_key.get(k)
            failures.append(
                f"{rel} {label}: suricata {ns}, otsentry {no}"
                + (f"  [{r.where}: {r.msg}]" if r else "")
                + (f"  pcap_cnt only Suricata: {only_s}" if only_s else "")
                + (f"  only otsentry: {only_o}" if only_o else "")
            )

    for rel, err in ots_unreadable:
        print(f"  skipped, otsentry cannot read it and Suricata raised no alert on it: {rel}: {err}")
    for rel, label, ns, no in stream_explained:
        print(f"  explained (stream): {rel} {label}: suricata {ns}, otsentry {no}")
    for rel, label, ns, no, e in explained:
        print(f"  explained: {rel} {label}: suricata {ns}, otsentry {no} -- {e.reason}")
    for e in explanations:
        if not e.used:
            print(f"  note: explanation at {Path(args.explained).name}:{e.lineno} matched nothing ({e.glob} {e.sid})")
    for f in failures:
        print(f"FAIL {f}")
    print(
        f"summary: {len(readable)} captures ({len(unreadable)} skipped, {len(ots_unreadable)} not read by otsentry), {len(selected)} rules compared, "
        f"alerts suricata {total_suri} / otsentry {total_ots}, {agreed} (capture, sid) pairs agree, "
        f"{len(stream_explained)} explained (stream), {len(explained)} explained differences, "
        f"{len(failures)} unexplained"
    )
    return 1 if failures else 0


def report_suricata(args, cache, version, variables, rules, selected, by_key, readable, suri_results, unreadable):
    out = {
        "suricata": version,
        "config": str(CONFIG.relative_to(HERE.parents[1])),
        "variables": variables,
        "rules_total": len(rules),
        "rules_accepted": len(selected),
        "rejected": {r.where: {"sid": r.sid, "reason": r.suricata_reason} for r in rules if r.suricata_reason is not None},
        "rules": {sid_label((r.gid, r.final_sid)): {"source": r.where, "sid": r.sid, "msg": r.msg} for r in selected},
        "unreadable": {rel: suri_results[rel][1] for rel in unreadable},
        "captures": {},
    }
    per_sid = defaultdict(dict)
    for rel, _ in readable:
        alerts = suri_results[rel][0]
        counts = {sid_label(k): len(v) for k, v in sorted(alerts.items())}
        out["captures"][rel] = counts
        for k, n in counts.items():
            per_sid[k][rel] = n
    dest = Path(args.json) if args.json else cache / "suricata-alerts.json"
    dest.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")

    lines = ["| sid | rule (source) | alerts | captures (alerts) |", "|---|---|---:|---|"]

    def sort_key(k):
        g, _, s = k.rpartition(":")
        return (int(g or 1), int(s))

    for k in sorted(per_sid, key=sort_key):
        caps = per_sid[k]
        r = by_key.get((1, int(k)) if ":" not in k else tuple(map(int, k.split(":"))))
        desc = f"{r.msg} (`{r.where}`)" if r else "?"
        lines.append(f"| {k} | {desc} | {sum(caps.values())} | " + ", ".join(f"`{c}` ({n})" for c, n in sorted(caps.items())) + " |")
    table = "\n".join(lines) + "\n"
    if args.table:
        Path(args.table).write_text(table)
    print(table)
    total = sum(sum(c.values()) for c in out["captures"].values())
    print(
        f"summary (Suricata only): {len(readable)} captures ({len(unreadable)} skipped), {len(selected)} rules loaded, "
        f"{total} alerts from {len(per_sid)} sids on {sum(1 for c in out['captures'].values() if c)} captures"
    )
    print(f"written: {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
