#!/usr/bin/python3
"""Write a large, deterministic pcap of DNP3, IEC 60870-5-104 and S7comm connections.

    gen_ics_capture.py OUT.pcap [--size-mb 300] [--packets N] [--flows 3000]
                       [--protocols dnp3,iec104,s7comm] [--seed 1]

The ICS counterpart of gen_modbus_capture.py (whose packet writer it reuses): Ethernet,
IPv4, correct IPv4/TCP checksums and sequence/acknowledgement numbers, microsecond
timestamps 3 us apart from 2024-01-01. --flows TCP connections, split evenly over the
protocols of --protocols; every connection starts with a three-way handshake (all of them at
the start of the file) and ends with a FIN exchange (all at the end), so all are open at once.
In between, exchanges on randomly chosen connections; the client sends a pure ACK after every
second exchange that ends with
a server packet. Each connection's first exchange is its protocol's start-up.

DNP3 (TCP 20000; masters 10.2.0.x, outstations 10.3.x.y; link addresses master 1, outstation
10 + n): link frames with correct header and per-16-byte block CRCs, transport segments with
FIR/FIN and a per-direction sequence number, application sequence numbers.
  start-up  integrity poll (READ g60v2 g60v3 g60v4 g60v1) -> response g1v2, g30v1, g20v1 (2-4
            link frames, one TCP segment each: transport reassembly)
  ~38 %     event poll (READ g60v2-4) -> null response, or events g2v2 + g32v3 with CON ->
            master confirm
  ~10 %     integrity poll; ~10 % class 0 poll (READ g60v1) -> static data
  ~5 %      CROB g12v1: SELECT -> response, OPERATE -> response
  ~25 %     unsolicited response (UNS, CON) with events -> master confirm (UNS)
  ~12 %     READ g30v1 of a range (a few analog inputs) -> response
IEC 104 (TCP 2404; clients 10.4.0.x, servers 10.5.x.y; common address 1 + n): N(S)/N(R) per
direction, the client acknowledges with an S-frame every 8 unacknowledged server I-frames (w).
  start-up  STARTDT act/con, then a general interrogation
  ~10 %     general interrogation: C_IC_NA_1 act -> con, M_SP_NA_1 (SQ=1, 16-64 points),
            M_ME_NC_1 (10-30 objects), termination; S-frame
  ~60 %     spontaneous M_ME_TF_1 (1-4 objects, CP56Time2a), sometimes two APDUs in one segment
  ~12 %     spontaneous M_SP_TB_1
  ~10 %     TESTFR act/con
  ~5 %      C_SC_NA_1 act -> con -> termination
S7comm (TCP 102; clients 10.6.0.x, PLCs 10.7.x.y): TPKT + COTP, PDU size 480.
  start-up  COTP CR/CC, setup communication job/ack_data
  ~75 %     read var, 1-6 DB items (2-64 bytes each) -> ack_data with the data
  ~15 %     write var, 1-2 DB items -> ack_data
  ~10 %     SZL read (userdata, CPU functions, SZL 0x0132/4, 0x0131/1, 0x0424/0) -> response

Prints a JSON summary with the application PDUs written per protocol (DNP3 application
fragments, IEC 104 I/S/U APDUs, S7comm PDUs), the ground truth the bench compares the
programs' counts with. Byte-for-byte identical output for the same arguments. Standard
library only.
"""

import argparse
import json
import os
import random
import struct
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the bench scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_modbus_capture import ACK, FIN, PSH, SYN, TcpFlow, Writer, ip4, words_sum  # noqa: E402

BASE_TIME = 1704067200  # 2024-01-01T00:00:00Z, as gen_modbus_capture.py
PORTS = {"dnp3": 20000, "iec104": 2404, "s7comm": 102}
NETS = {"dnp3": (2, 3), "iec104": (4, 5), "s7comm": (6, 7)}  # client 10.a.0.x, server 10.b.x.y
PA = PSH | ACK

u16le = struct.Struct("<H").pack
u16be = struct.Struct(">H").pack
u32le = struct.Struct("<I").pack
i32le = struct.Struct("<i").pack
f32le = struct.Struct("<f").pack


class Conn(TcpFlow):
    """A TCP connection (gen_modbus_capture.TcpFlow) plus its protocol and protocol state."""
    __slots__ = ("proto", "n", "started", "ex",
                 # DNP3: link addresses, transport seq per direction, application seqs
                 "m_addr", "o_addr", "m_tseq", "o_tseq", "aseq", "useq",
                 # IEC 104: N(S) per direction, server I-frames not yet acknowledged, CA
                 "ns_c", "ns_s", "unacked", "ca",
                 # S7comm: PDU reference
                 "pduref",
                 "last_c")  # the last packet went to the server


class ConnWriter(Writer):
    """gen_modbus_capture.Writer that remembers each connection's last direction."""

    def tcp(self, flow, to_server, flags, payload=b"", payload_sum=0):
        flow.last_c = to_server
        Writer.tcp(self, flow, to_server, flags, payload, payload_sum)


# ============================================================================ DNP3
def _crc_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA6BC if c & 1 else c >> 1
        t.append(c)
    return t


CRC_TABLE = _crc_table()
_crc_memo = {}


def dnp3_crc(block):
    """CRC-16/DNP of a block (memoised: the same blocks recur), as 2 bytes little-endian."""
    c = _crc_memo.get(block)
    if c is None:
        crc = 0
        t = CRC_TABLE
        for b in block:
            crc = (crc >> 8) ^ t[(crc ^ b) & 0xFF]
        c = u16le(~crc & 0xFFFF)
        if len(_crc_memo) > 500000:
            _crc_memo.clear()
        _crc_memo[block] = c
    return c


def dnp3_frames(ctrl, dst, src, tseq, app):
    """Link frames carrying one application fragment; returns (frames, next transport seq)."""
    frames = []
    n = len(app)
    pos = 0
    first = True
    while True:
        chunk = app[pos:pos + 249]
        pos += len(chunk)
        last = pos >= n
        th = (0x80 if last else 0) | (0x40 if first else 0) | tseq
        tseq = (tseq + 1) & 0x3F
        user = bytes((th,)) + chunk
        hdr = b"\x05\x64" + bytes((5 + len(user), ctrl)) + u16le(dst) + u16le(src)
        parts = [hdr, dnp3_crc(hdr)]
        for i in range(0, len(user), 16):
            blk = user[i:i + 16]
            parts.append(blk)
            parts.append(dnp3_crc(blk))
        frames.append(b"".join(parts))
        first = False
        if last:
            return frames, tseq


def dnp3_time(ms):
    return struct.pack("<Q", ms)[:6]


class Dnp3Gen:
    """Application fragments (without the application control octet's sequence number)."""

    def __init__(self, rng):
        self.rng = rng
        # variants with different values, so the memoised CRCs stay few
        self.bi_flags = [bytes(0x81 if rng.random() < 0.3 else 0x01 for _ in range(64)) for _ in range(8)]
        self.ai = [b"".join(b"\x01" + i32le(rng.randrange(-2000, 30000)) for _ in range(100)) for _ in range(8)]
        self.ctr = [b"".join(b"\x01" + u32le(rng.randrange(1 << 20)) for _ in range(16)) for _ in range(8)]
        self.events = []
        for v in range(32):
            nb, na = rng.randrange(1, 6), rng.randrange(0, 6)
            t0 = (BASE_TIME + 3600 * v) * 1000 + rng.randrange(1000)
            objs = b"\x02\x02\x28" + u16le(nb) + b"".join(
                u16le(rng.randrange(64)) + bytes((0x81 if rng.random() < 0.5 else 0x01,)) + dnp3_time(t0 + 17 * i)
                for i in range(nb))
            if na:
                objs += b"\x20\x03\x28" + u16le(na) + b"".join(
                    u16le(rng.randrange(100)) + b"\x01" + i32le(rng.randrange(-500, 20000)) + dnp3_time(t0 + 23 * i)
                    for i in range(na))
            self.events.append(objs)

    def static(self, nbi, nai, nctr):
        r = self.rng
        o = b""
        if nbi:
            o += b"\x01\x02\x01" + u16le(0) + u16le(nbi - 1) + self.bi_flags[r.randrange(8)][:nbi]
        if nai:
            o += b"\x1e\x01\x01" + u16le(0) + u16le(nai - 1) + self.ai[r.randrange(8)][:5 * nai]
        if nctr:
            o += b"\x14\x01\x01" + u16le(0) + u16le(nctr - 1) + self.ctr[r.randrange(8)][:5 * nctr]
        return o


READ_EVENTS = b"\x01\x3c\x02\x06\x3c\x03\x06\x3c\x04\x06"
READ_INTEGRITY = READ_EVENTS + b"\x3c\x01\x06"
READ_CLASS0 = b"\x01\x3c\x01\x06"
IIN = b"\x00\x00"
IIN_EVENTS = b"\x02\x00"  # IIN1.1 class 1 events available


def dnp3_exchange(w, fl, g, st):
    r = g.rng
    m, o = fl.m_addr, fl.o_addr

    def request(func_and_objs):
        seq = fl.aseq
        fl.aseq = (fl.aseq + 1) & 0x0F
        frames, fl.m_tseq = dnp3_frames(0xC4, o, m, fl.m_tseq, bytes((0xC0 | seq,)) + func_and_objs)
        for f in frames:
            w.tcp(fl, True, PA, f, words_sum(f))
        st["dnp3"] += 1
        return seq

    def response(ctrl, func, iin, objs):
        frames, fl.o_tseq = dnp3_frames(0x44, m, o, fl.o_tseq, bytes((ctrl, func)) + iin + objs)
        for f in frames:
            w.tcp(fl, False, PA, f, words_sum(f))
        st["dnp3"] += 1
        return len(frames)

    def confirm(ctrl):
        frames, fl.m_tseq = dnp3_frames(0xC4, o, m, fl.m_tseq, bytes((ctrl, 0x00)))
        w.tcp(fl, True, PA, frames[0], words_sum(frames[0]))
        st["dnp3"] += 1

    x = r.random() if fl.started else 0.15
    fl.started = True
    if x < 0.38:  # event poll
        seq = request(READ_EVENTS)
        if r.random() < 0.5:
            response(0xC0 | seq, 0x81, IIN, b"")
        else:
            response(0xE0 | seq, 0x81, IIN_EVENTS, g.events[r.randrange(32)])
            confirm(0xC0 | seq)
    elif x < 0.48:  # integrity poll
        seq = request(READ_INTEGRITY)
        response(0xC0 | seq, 0x81, IIN, g.static(r.choice((32, 48, 64)), r.choice((40, 70, 100)), 16))
    elif x < 0.58:  # class 0
        seq = request(READ_CLASS0)
        response(0xC0 | seq, 0x81, IIN, g.static(r.choice((16, 32)), r.choice((10, 20, 30)), 0))
    elif x < 0.63:  # CROB select / operate
        idx = r.randrange(16)
        code = r.choice((0x41, 0x81, 0x03, 0x04))
        crob = b"\x0c\x01\x28\x01\x00" + u16le(idx) + bytes((code, 1)) + u32le(1000) + u32le(0) + b"\x00"
        for func in (3, 4):
            seq = request(bytes((func,)) + crob)
            response(0xC0 | seq, 0x81, IIN, crob)
    elif x < 0.88:  # unsolicited response, confirmed
        seq = fl.useq
        fl.useq = (fl.useq + 1) & 0x0F
        response(0xF0 | seq, 0x82, IIN_EVENTS, g.events[r.randrange(32)])
        confirm(0xD0 | seq)
    else:  # read a few analog inputs
        start = r.randrange(0, 90)
        n = r.randrange(1, 10)
        seq = request(b"\x01\x1e\x01\x01" + u16le(start) + u16le(start + n - 1))
        response(0xC0 | seq, 0x81, IIN, b"\x1e\x01\x01" + u16le(start) + u16le(start + n - 1)
                 + g.ai[r.randrange(8)][5 * start:5 * (start + n)])


# ============================================================================ IEC 104
def cp56(t_us):
    ms_total = t_us // 1000
    tm = time.gmtime(BASE_TIME + ms_total // 1000)
    ms = tm.tm_sec * 1000 + ms_total % 1000
    return struct.pack("<HBBBBB", ms, tm.tm_min, tm.tm_hour, tm.tm_mday | ((tm.tm_wday + 1) << 5),
                       tm.tm_mon, tm.tm_year - 2000)


def ioa(n):
    return struct.pack("<I", n)[:3]


STARTDT_ACT, STARTDT_CON = b"\x68\x04\x07\x00\x00\x00", b"\x68\x04\x0b\x00\x00\x00"
TESTFR_ACT, TESTFR_CON = b"\x68\x04\x43\x00\x00\x00", b"\x68\x04\x83\x00\x00\x00"


def iec104_exchange(w, fl, g, st):
    r = g.rng
    ca = u16le(fl.ca)

    def i_frame(to_server, asdu):
        if to_server:
            ctl = u16le(fl.ns_c << 1) + u16le(fl.ns_s << 1)
            fl.ns_c = (fl.ns_c + 1) & 0x7FFF
        else:
            ctl = u16le(fl.ns_s << 1) + u16le(fl.ns_c << 1)
            fl.ns_s = (fl.ns_s + 1) & 0x7FFF
            fl.unacked += 1
        st["iec104_i"] += 1
        return bytes((0x68, 4 + len(asdu))) + ctl + asdu

    def asdu(type_id, vsq, cot, objs):
        return bytes((type_id, vsq, cot, 0)) + ca + objs

    def send(to_server, *apdus):
        p = b"".join(apdus)
        w.tcp(fl, to_server, PA, p, words_sum(p))

    def s_frame_if_due(force=False):
        if fl.unacked >= 8 or (force and fl.unacked):
            send(True, b"\x68\x04\x01\x00" + u16le(fl.ns_s << 1))
            fl.unacked = 0
            st["iec104_s"] += 1

    if not fl.started:
        fl.started = True
        send(True, STARTDT_ACT)
        send(False, STARTDT_CON)
        st["iec104_u"] += 2
        x = 0.0
    else:
        x = r.random()
    if x < 0.10:  # general interrogation
        send(True, i_frame(True, asdu(100, 1, 6, ioa(0) + b"\x14")))
        send(False, i_frame(False, asdu(100, 1, 7, ioa(0) + b"\x14")))
        n = r.randrange(16, 65)
        send(False, i_frame(False, asdu(1, 0x80 | n, 20, ioa(1001) + g.siq[r.randrange(8)][:n])))
        n = r.randrange(10, 31)
        send(False, i_frame(False, asdu(13, n, 20, g.me_nc[r.randrange(8)][:8 * n])))
        send(False, i_frame(False, asdu(100, 1, 10, ioa(0) + b"\x14")))
        s_frame_if_due(True)
    elif x < 0.70:  # spontaneous measured values with time
        t = cp56(w.t_us)
        apdus = []
        for _ in range(1 if r.random() < 0.7 else 2):
            n = r.randrange(1, 5)
            objs = b"".join(ioa(2001 + r.randrange(200)) + f32le(g.floats[r.randrange(256)]) + b"\x00" + t
                            for _ in range(n))
            apdus.append(i_frame(False, asdu(36, n, 3, objs)))
        send(False, *apdus)
        s_frame_if_due()
    elif x < 0.82:  # spontaneous single point with time
        send(False, i_frame(False, asdu(30, 1, 3, ioa(1001 + r.randrange(64)) + bytes((r.randrange(2),))
                                        + cp56(w.t_us))))
        s_frame_if_due()
    elif x < 0.92:  # TESTFR
        send(True, TESTFR_ACT)
        send(False, TESTFR_CON)
        st["iec104_u"] += 2
    else:  # single command: activation, confirmation, termination
        obj = ioa(3001 + r.randrange(16)) + bytes((r.randrange(2),))
        send(True, i_frame(True, asdu(45, 1, 6, obj)))
        send(False, i_frame(False, asdu(45, 1, 7, obj)))
        send(False, i_frame(False, asdu(45, 1, 10, obj)))
        s_frame_if_due()


class Iec104Gen:
    def __init__(self, rng):
        self.rng = rng
        self.floats = [round(rng.uniform(-50, 400), 2) for _ in range(256)]
        self.siq = [bytes(rng.randrange(2) for _ in range(64)) for _ in range(8)]
        self.me_nc = [b"".join(ioa(2001 + i) + f32le(rng.uniform(0, 250)) + b"\x00" for i in range(30))
                      for _ in range(8)]


# ============================================================================ S7comm
COTP_DT = b"\x02\xf0\x80"


def tpkt(p):
    return b"\x03\x00" + u16be(4 + len(p)) + p


def s7_job(ref, param, data=b""):
    return tpkt(COTP_DT + b"\x32\x01\x00\x00" + u16be(ref) + u16be(len(param)) + u16be(len(data)) + param + data)


def s7_ack(ref, param, data=b""):
    return tpkt(COTP_DT + b"\x32\x03\x00\x00" + u16be(ref) + u16be(len(param)) + u16be(len(data))
                + b"\x00\x00" + param + data)


def s7_userdata(ref, param, data):
    return tpkt(COTP_DT + b"\x32\x07\x00\x00" + u16be(ref) + u16be(len(param)) + u16be(len(data)) + param + data)


def s7_item(db, byte_addr, n):
    return b"\x12\x0a\x10\x02" + u16be(n) + u16be(db) + b"\x84" + struct.pack(">I", byte_addr * 8)[1:]


SETUP = b"\xf0\x00\x00\x01\x00\x01\x01\xe0"
SZL = [  # (id, index, response data after the 4-byte data header: SZL id, index, record length, count, records)
    (0x0132, 0x0004, bytes.fromhex("013200040028000100040001000000010002000000005656bc04a3d58401d6b2020000"
                                   "00000000000000000000000000")),
    (0x0131, 0x0001, bytes.fromhex("0131000100280001000100f0000c0002dc6c0000000005f5e1000000000000000000"
                                   "0000000000000000000000000000")),
    (0x0424, 0x0000, bytes.fromhex("04240000001400010000510b08000000000000000000000000000000")),
]


class S7Gen:
    def __init__(self, rng):
        self.rng = rng
        self.data = rng.randbytes(4096)


def s7_exchange(w, fl, g, st):
    r = g.rng

    def send(to_server, p):
        w.tcp(fl, to_server, PA, p, words_sum(p))

    def ref():
        fl.pduref = (fl.pduref + 1) & 0xFFFF
        return fl.pduref

    if not fl.started:
        fl.started = True
        src = 0x0100 + fl.n % 0xFE00
        send(True, tpkt(b"\x11\xe0\x00\x00" + u16be(src) + b"\x00\xc1\x02\x01\x00\xc2\x02\x01\x02\xc0\x01\x0a"))
        send(False, tpkt(b"\x11\xd0" + u16be(src) + b"\x00\x03\x00\xc0\x01\x0a\xc1\x02\x01\x00\xc2\x02\x01\x02"))
        q = ref()
        send(True, s7_job(q, SETUP))
        send(False, s7_ack(q, SETUP))
        st["s7comm"] += 2
        st["cotp_cr_cc"] += 2
        return
    x = r.random()
    q = ref()
    if x < 0.75:  # read var
        n = r.randrange(1, 7)
        items = [(r.randrange(1, 200), r.randrange(0, 1000), r.choice((2, 4, 4, 8, 16, 32, 64))) for _ in range(n)]
        param = bytes((0x04, n)) + b"".join(s7_item(db, a, ln) for db, a, ln in items)
        data = []
        for i, (db, a, ln) in enumerate(items):
            off = (db * 131 + a) % 4000
            d = b"\xff\x04" + u16be(ln * 8) + g.data[off:off + ln]
            if ln % 2 and i < n - 1:
                d += b"\x00"
            data.append(d)
        send(True, s7_job(q, param))
        send(False, s7_ack(q, bytes((0x04, n)), b"".join(data)))
    elif x < 0.90:  # write var
        n = r.randrange(1, 3)
        items = [(r.randrange(1, 200), r.randrange(0, 1000), r.choice((2, 4))) for _ in range(n)]
        param = bytes((0x05, n)) + b"".join(s7_item(db, a, ln) for db, a, ln in items)
        data = b"".join(b"\x00\x04" + u16be(ln * 8) + g.data[a:a + ln] for db, a, ln in items)
        send(True, s7_job(q, param, data))
        send(False, s7_ack(q, bytes((0x05, n)), b"\xff" * n))
    else:  # SZL read
        szl_id, idx, body = SZL[r.randrange(len(SZL))]
        send(True, s7_userdata(q, b"\x00\x01\x12\x04\x11\x44\x01\x00", b"\xff\x09\x00\x04" + u16be(szl_id) + u16be(idx)))
        send(False, s7_userdata(q, b"\x00\x01\x12\x08\x12\x84\x01\x01\x00\x00\x00\x00",
                                b"\xff\x09" + u16be(len(body)) + body))
    st["s7comm"] += 2


# ============================================================================ main
EXCHANGE = {"dnp3": dnp3_exchange, "iec104": iec104_exchange, "s7comm": s7_exchange}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=float, default=300.0,
                    help="stop once the file reaches this size in MiB (default 300)")
    ap.add_argument("--packets", type=int, default=0,
                    help="stop after about this many packets instead (0 = use --size-mb)")
    ap.add_argument("--flows", type=int, default=3000,
                    help="TCP connections in all, split evenly over the protocols (default 3000)")
    ap.add_argument("--protocols", default="dnp3,iec104,s7comm",
                    help="comma-separated subset of dnp3,iec104,s7comm (default all three)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    protos = [p for p in a.protocols.split(",") if p]
    if not protos or any(p not in PORTS for p in protos) or len(set(protos)) != len(protos):
        sys.exit("--protocols: a comma-separated subset of dnp3,iec104,s7comm")
    if a.flows < len(protos) or a.flows > 300000 * len(protos):
        sys.exit("--flows: at least one per protocol, at most 300000 per protocol")

    rng = random.Random(a.seed)
    t0 = time.monotonic()
    limit_bytes = int(a.size_mb * 1024 * 1024) if not a.packets else 1 << 62
    limit_packets = a.packets or 1 << 62

    flows = []
    per = {p: 0 for p in protos}
    for i in range(a.flows):
        p = protos[i % len(protos)]
        n = per[p]
        per[p] += 1
        cnet, snet = NETS[p]
        s = n // 4  # 4 connections per server (redundant masters), from different clients
        cip = ip4(10, cnet, 0, 10 + n % 50)
        sip = ip4(10, snet, s // 250 % 256, 1 + s % 250)
        cport = 30000 + (n * 7919) % 30000  # clear of 20000, 2404, 502, 102
        fl = Conn(cip, sip, cport, PORTS[p], rng.getrandbits(32), rng.getrandbits(32), 0)
        fl.proto, fl.n, fl.started, fl.ex = p, n, False, EXCHANGE[p]
        fl.m_addr, fl.o_addr = 1, 10 + s % 60000
        fl.m_tseq, fl.o_tseq, fl.aseq, fl.useq = rng.randrange(64), rng.randrange(64), rng.randrange(16), 0
        fl.ns_c = fl.ns_s = fl.unacked = 0
        fl.ca = 1 + s % 65000
        fl.pduref = rng.randrange(0x10000)
        flows.append(fl)
    gens = {"dnp3": Dnp3Gen(rng), "iec104": Iec104Gen(rng), "s7comm": S7Gen(rng)}
    st = {"dnp3": 0, "iec104_i": 0, "iec104_s": 0, "iec104_u": 0, "s7comm": 0, "cotp_cr_cc": 0}
    exchanges = {p: 0 for p in protos}
    flow_order = [rng.randrange(a.flows) for _ in range(1 << 16)]
    nflows = a.flows

    with open(a.out, "wb", buffering=1 << 22) as f:
        w = ConnWriter(f, rng, 3)
        for fl in flows:  # handshakes
            w.tcp(fl, True, SYN)
            w.tcp(fl, False, SYN | ACK)
            w.tcp(fl, True, ACK)
        k = 0
        while w.nbytes < limit_bytes and w.npackets < limit_packets:
            k += 1
            fl = flows[(flow_order[k & 0xFFFF] + k) % nflows]
            fl.ex(w, fl, gens[fl.proto], st)
            exchanges[fl.proto] += 1
            if not fl.last_c:  # a delayed ACK from the client after every second server reply
                fl.acks ^= 1
                if fl.acks:
                    w.tcp(fl, True, ACK)
        for fl in flows:  # orderly close
            w.tcp(fl, True, FIN | ACK)
            w.tcp(fl, False, FIN | ACK)
            w.tcp(fl, True, ACK)
        w.flush()
    dt = time.monotonic() - t0
    pdus = {}
    if "dnp3" in protos:
        pdus["dnp3"] = st["dnp3"]
    if "iec104" in protos:
        pdus["iec104"] = st["iec104_i"] + st["iec104_s"] + st["iec104_u"]
        pdus["iec104_i"], pdus["iec104_s"], pdus["iec104_u"] = st["iec104_i"], st["iec104_s"], st["iec104_u"]
    if "s7comm" in protos:
        pdus["s7comm"] = st["s7comm"]
        pdus["cotp_cr_cc"] = st["cotp_cr_cc"]
    print(json.dumps({"file": a.out, "packets": w.npackets, "bytes": w.nbytes, "flows": per,
                      "exchanges": exchanges, "pdus": pdus, "seconds": round(dt, 1),
                      "mb_per_s": round(w.nbytes / dt / 1e6, 1)}))


if __name__ == "__main__":
    main()
