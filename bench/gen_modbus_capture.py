#!/usr/bin/python3
"""Write a large, deterministic, Modbus/TCP-heavy pcap for replay benchmarks.

    gen_modbus_capture.py OUT.pcap [--size-mb 1100] [--packets N] [--flows 20000] [--seed 1]

What is in it (all addresses in 10.0.0.0/8, Ethernet, microsecond pcap):
* --flows Modbus/TCP connections (default 20 000, up to 1 000 000) between 100 SCADA/HMI
  clients (10.1.0.x; 10.1.1.x for connections 80 000-159 999, and so on) and up to 200
  PLCs (10.0.x.y, port 502). Every connection starts with a full three-way handshake, then
  request/response transactions with correct sequence and acknowledgement numbers (plus a
  delayed pure ACK from the client every second transaction), and ends with a FIN exchange.
  All handshakes come first and all FIN exchanges last, so every connection is open at
  once for the whole capture: `--flows 100000 --packets 1600000` gives 100 000 concurrent
  Modbus connections (plus 5 000 TLS-like and up to 20 000 UDP flows) with ~5
  transactions each, the flow-table memory test of run_replay_bench.sh --concurrent.
* A realistic function mix (read holding/input registers and coils most, writes fc
  5/6/15/16, read/write fc 23, diagnostics fc 8, device identification fc 43/14) and
  about 3% exception responses (codes 1, 2, 3, 4).
* About 10% background traffic: DNS and NTP over UDP, TLS-like TCP/443 flows (also with
  handshakes) from office hosts.
* IPv4 and TCP/UDP checksums are correct (computed incrementally from per-template sums).

Packet sizes are 60-320 bytes. The output is byte-for-byte identical for the same
arguments. Only the standard library is used; speed comes from precomputed templates,
one struct per header block and large buffered writes.
"""

import argparse
import random
import struct
import sys
import time

LINKTYPE_ETHERNET = 1
MODBUS_PORT = 502
BASE_TIME = 1704067200  # 2024-01-01T00:00:00Z

GLOBAL_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET)
REC = struct.Struct("<IIII")
# Ethernet (dst, src, type) + IPv4 (no options, DF, TTL 64) + TCP (no options), one pack call.
ETH_IP_TCP = struct.Struct(">6s6sH BBHHHBBH4s4s HHIIBBHHH")
ETH_IP_UDP = struct.Struct(">6s6sH BBHHHBBH4s4s HHHH")

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def fold(s):
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return s


def words_sum(b):
    """Sum of big-endian 16-bit words (odd length padded with a zero byte)."""
    if len(b) % 2:
        b += b"\x00"
    return sum(struct.unpack(f">{len(b) // 2}H", b))


def ip4(a, b, c, d):
    return bytes((a, b, c, d))


def mac_for(ip):
    return b"\x02\x00" + ip


# ------------------------------------------------------------------ Modbus templates
def mbap(unit, pdu):
    """MBAP header without the transaction id (added per packet): protocol 0, length, unit."""
    return struct.pack(">HHB", 0, len(pdu) + 1, unit) + pdu


def build_exchanges(rng):
    """Return a list of (weight, req_pdu, resp_pdu) covering the function mix."""
    ex = []

    def regs(n, base):
        return b"".join(struct.pack(">H", (base + i * 37) & 0xFFFF) for i in range(n))

    for addr, n in ((0, 10), (100, 20), (400, 60), (1000, 120), (3000, 4)):
        ex.append((40 / 5, struct.pack(">BHH", 3, addr, n), struct.pack(">BB", 3, 2 * n) + regs(n, addr)))
    for addr, n in ((0, 8), (50, 32), (200, 50)):
        ex.append((15 / 3, struct.pack(">BHH", 4, addr, n), struct.pack(">BB", 4, 2 * n) + regs(n, addr + 7)))
    for fc, w in ((1, 10), (2, 5)):
        for addr, n in ((0, 16), (64, 100), (512, 800)):
            nb = (n + 7) // 8
            ex.append((w / 3, struct.pack(">BHH", fc, addr, n),
                       struct.pack(">BB", fc, nb) + bytes(rng.randrange(256) for _ in range(nb))))
    ex.append((3, struct.pack(">BHH", 5, 17, 0xFF00), struct.pack(">BHH", 5, 17, 0xFF00)))
    for addr, v in ((2, 75), (40, 1500), (41, 1550)):
        ex.append((8 / 3, struct.pack(">BHH", 6, addr, v), struct.pack(">BHH", 6, addr, v)))
    ex.append((2, struct.pack(">BHHB", 15, 30, 12, 2) + b"\xa5\x0f", struct.pack(">BHH", 15, 30, 12)))
    for addr, n in ((10, 4), (200, 30)):
        ex.append((7 / 2, struct.pack(">BHHB", 16, addr, n, 2 * n) + regs(n, 9),
                   struct.pack(">BHH", 16, addr, n)))
    ex.append((2, struct.pack(">BHHHHB", 23, 10, 8, 14, 2, 4) + regs(2, 300),
               struct.pack(">BB", 23, 16) + regs(8, 10)))
    ex.append((0.5, struct.pack(">BHH", 8, 0, 0x1234), struct.pack(">BHH", 8, 0, 0x1234)))
    ex.append((0.5, struct.pack(">BHH", 8, 11, 0), struct.pack(">BHH", 8, 11, 42)))
    ident = b"".join(bytes((i, len(s))) + s for i, s in enumerate((b"otsentry-bench", b"PLC-9", b"1.2.3")))
    ex.append((1, struct.pack(">BBBB", 43, 14, 1, 0),
               struct.pack(">BBBBBBB", 43, 14, 1, 0x01, 0, 0, 3) + ident))
    # exceptions (~3%): beyond the register map, bad quantity, unknown function, device failure
    ex.append((1.5, struct.pack(">BHH", 3, 9000, 10), struct.pack(">BB", 0x83, 2)))
    ex.append((0.5, struct.pack(">BHH", 1, 0, 2001), struct.pack(">BB", 0x81, 3)))
    ex.append((0.5, struct.pack(">BHH", 0x41, 0, 1), struct.pack(">BB", 0xC1, 1)))
    ex.append((0.5, struct.pack(">BHH", 6, 2, 9999), struct.pack(">BB", 0x86, 4)))
    return ex


class TcpFlow:
    __slots__ = ("c_eth_ip", "s_eth_ip", "c_ip_sum", "s_ip_sum", "c_tcp_sum", "s_tcp_sum",
                 "cport", "sport", "cseq", "sseq", "tid", "unit", "cwin", "swin", "acks")

    def __init__(self, cip, sip, cport, sport, cseq, sseq, unit):
        self.c_eth_ip = (mac_for(sip), mac_for(cip), cip, sip)
        self.s_eth_ip = (mac_for(cip), mac_for(sip), sip, cip)
        ipfixed = 0x4500 + 0x4000 + 0x4006
        self.c_ip_sum = ipfixed + words_sum(cip + sip)
        self.s_ip_sum = ipfixed + words_sum(sip + cip)
        pseudo = words_sum(cip + sip) + 6
        self.cwin, self.swin = 502 * 128, 8192
        # fixed part of the TCP checksum per direction: pseudo header + ports + window
        self.c_tcp_sum = pseudo + cport + sport + self.cwin
        self.s_tcp_sum = pseudo + sport + cport + self.swin
        self.cport, self.sport = cport, sport
        self.cseq, self.sseq = cseq, sseq
        self.tid = 0
        self.unit = unit
        self.acks = 0


class Writer:
    def __init__(self, f, rng, avg_gap_us):
        self.f = f
        self.parts = []
        self.nbytes = len(GLOBAL_HDR)
        self.npackets = 0
        self.t_us = 0
        self.rng = rng
        self.gap = avg_gap_us
        f.write(GLOBAL_HDR)

    def tcp(self, flow, to_server, flags, payload=b"", payload_sum=0):
        if to_server:
            dmac, smac, src, dst = flow.c_eth_ip
            ipsum, tsum, win = flow.c_ip_sum, flow.c_tcp_sum, flow.cwin
            sport, dport, seq, ack = flow.cport, flow.sport, flow.cseq, flow.sseq
        else:
            dmac, smac, src, dst = flow.s_eth_ip
            ipsum, tsum, win = flow.s_ip_sum, flow.s_tcp_sum, flow.swin
            sport, dport, seq, ack = flow.sport, flow.cport, flow.sseq, flow.cseq
        plen = len(payload)
        tcp_len = 20 + plen
        total = 20 + tcp_len
        ipc = ~fold(ipsum + total) & 0xFFFF
        if not flags & ACK:
            ack = 0
        hdr_word = 0x5000 | flags
        tc = ~fold(tsum + tcp_len + (seq >> 16) + (seq & 0xFFFF) + (ack >> 16) + (ack & 0xFFFF)
                   + hdr_word + payload_sum) & 0xFFFF
        pkt = ETH_IP_TCP.pack(dmac, smac, 0x0800, 0x45, 0, total, 0, 0x4000, 64, 6, ipc, src, dst,
                              sport, dport, seq, ack, 0x50, flags, win, tc, 0)
        self._emit(pkt, payload)
        adv = plen + (1 if flags & (SYN | FIN) else 0)
        if to_server:
            flow.cseq = (flow.cseq + adv) & 0xFFFFFFFF
        else:
            flow.sseq = (flow.sseq + adv) & 0xFFFFFFFF

    def udp(self, src, dst, sport, dport, payload, payload_sum):
        ulen = 8 + len(payload)
        total = 20 + ulen
        ipc = ~fold(0x4500 + 0x4000 + 0x4011 + words_sum(src + dst) + total) & 0xFFFF
        uc = ~fold(words_sum(src + dst) + 17 + ulen + sport + dport + ulen + payload_sum) & 0xFFFF
        pkt = ETH_IP_UDP.pack(mac_for(dst), mac_for(src), 0x0800, 0x45, 0, total, 0, 0x4000, 64, 17,
                              ipc, src, dst, sport, dport, ulen, uc or 0xFFFF)
        self._emit(pkt, payload)

    def _emit(self, hdr, payload):
        self.t_us += self.gap
        n = len(hdr) + len(payload)
        pad = b""
        if n < 60:  # Ethernet minimum frame (without FCS)
            pad = bytes(60 - n)
            n = 60
        self.parts.append(REC.pack(BASE_TIME + self.t_us // 1000000, self.t_us % 1000000, n, n))
        self.parts.append(hdr)
        if payload:
            self.parts.append(payload)
        if pad:
            self.parts.append(pad)
        self.nbytes += 16 + n
        self.npackets += 1
        if len(self.parts) >= 60000:
            self.flush()

    def flush(self):
        self.f.write(b"".join(self.parts))
        self.parts.clear()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=float, default=1100.0,
                    help="stop once the file reaches this size in MiB (default 1100)")
    ap.add_argument("--packets", type=int, default=0,
                    help="stop after about this many packets instead (0 = use --size-mb)")
    ap.add_argument("--flows", type=int, default=20000,
                    help="Modbus connections, all open at once (default 20000, at most 1000000)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.flows < 1 or a.flows > 1000000:
        sys.exit("--flows must be 1..1000000")

    rng = random.Random(a.seed)
    t0 = time.monotonic()
    limit_bytes = int(a.size_mb * 1024 * 1024) if not a.packets else 1 << 62
    limit_packets = a.packets or 1 << 62

    # Modbus flows: client i % 100, server (i // 100) % 200, extra connections on other ports;
    # past 80 000 (4 port ranges x 20 000 pairs) the next 80 000 come from clients 10.1.1.x, ...
    # (flows below 80 000 are unchanged, so existing captures stay byte-for-byte the same)
    flows = []
    units = (1, 1, 1, 2, 10, 255)
    for i in range(a.flows):
        c, s = i % 100, (i // 100) % 200
        cip = ip4(10, 1, i // 80000, 10 + c)
        sip = ip4(10, 0, 1 + s // 250, 1 + s % 250)
        cport = 1024 + (i // 20000 % 4) * 15000 + (i * 7919) % 15000
        flows.append(TcpFlow(cip, sip, cport, MODBUS_PORT, rng.getrandbits(32), rng.getrandbits(32),
                             units[rng.randrange(len(units))]))
    # background TCP/443 flows
    nbg = max(1, a.flows // 20)
    bgflows = [TcpFlow(ip4(10, 20, (i // 200) % 256, 10 + i % 200), ip4(10, 30, 0, 1 + i % 20),
                       30000 + i % 30000, 443, rng.getrandbits(32), rng.getrandbits(32), 0)
               for i in range(nbg)]

    # templates: payload = tid (2 bytes) + MBAP rest + PDU; checksum sums precomputed per unit
    exchanges = build_exchanges(rng)
    weights = [w for w, _, _ in exchanges]
    tmpl = {}
    for u in set(units):
        tmpl[u] = [(mbap(u, req), words_sum(mbap(u, req)), mbap(u, resp), words_sum(mbap(u, resp)))
                   for _, req, resp in exchanges]
    # a long random schedule of exchange indexes, reused cyclically (fast and deterministic)
    schedule = rng.choices(range(len(exchanges)), weights=weights, k=1 << 16)
    flow_order = [rng.randrange(a.flows) for _ in range(1 << 16)]
    tls_payloads = [bytes([0x17, 0x03, 0x03]) + struct.pack(">H", n) + rng.randbytes(n)
                    for n in (40, 90, 180, 240)]
    tls_sums = [words_sum(p) for p in tls_payloads]
    dns_q = [struct.pack(">HHHHHH", 0x1000 + i, 0x0100, 1, 0, 0, 0) + b"\x09historian\x04site\x05plant\x00\x00\x01\x00\x01"
             for i in range(16)]
    dns_r = [q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:] + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\x0a\x00\x00\x32"
             for q in dns_q]
    dns_sums = [(words_sum(q), words_sum(r)) for q, r in zip(dns_q, dns_r)]
    ntp = b"\x23" + bytes(47)
    ntp_sum = words_sum(ntp)

    with open(a.out, "wb", buffering=1 << 22) as f:
        w = Writer(f, rng, 3)
        for fl in flows + bgflows:  # handshakes
            w.tcp(fl, True, SYN)
            w.tcp(fl, False, SYN | ACK)
            w.tcp(fl, True, ACK)
        tcp = w.tcp
        pack_tid = struct.Struct(">H").pack
        k = 0
        nb = 0
        while w.nbytes < limit_bytes and w.npackets < limit_packets:
            k += 1
            fl = flows[(flow_order[k & 0xFFFF] + k) % a.flows]
            req, req_sum, resp, resp_sum = tmpl[fl.unit][schedule[k & 0xFFFF]]
            fl.tid = tid = (fl.tid + 1) & 0xFFFF
            tcp(fl, True, PSH | ACK, pack_tid(tid) + req, req_sum + tid)
            tcp(fl, False, PSH | ACK, pack_tid(tid) + resp, resp_sum + tid)
            fl.acks ^= 1
            if fl.acks:
                tcp(fl, True, ACK)
            # ~10% of packets are background: one background item every 3rd exchange
            if k % 3 == 0:
                nb += 1
                r = nb % 10
                if r < 6:
                    bf = bgflows[nb % nbg]
                    i = nb & 3
                    tcp(bf, False, PSH | ACK, tls_payloads[i], tls_sums[i])
                    if r < 2:
                        tcp(bf, True, ACK)
                elif r < 9:
                    i = nb & 15
                    src, dst = ip4(10, 20, 0, 10 + nb % 200), ip4(10, 30, 0, 53)
                    w.udp(src, dst, 40000 + nb % 20000, 53, dns_q[i], dns_sums[i][0])
                    w.udp(dst, src, 53, 40000 + nb % 20000, dns_r[i], dns_sums[i][1])
                else:
                    src, dst = ip4(10, 0, 1, 1 + nb % 200), ip4(10, 30, 0, 123)
                    w.udp(src, dst, 123, 123, ntp, ntp_sum)
        for fl in flows + bgflows:  # orderly close
            w.tcp(fl, True, FIN | ACK)
            w.tcp(fl, False, FIN | ACK)
            w.tcp(fl, True, ACK)
        w.flush()
    dt = time.monotonic() - t0
    print(f'{{"file": "{a.out}", "packets": {w.npackets}, "bytes": {w.nbytes}, '
          f'"modbus_flows": {a.flows}, "exchanges": {k}, "seconds": {dt:.1f}, '
          f'"mb_per_s": {w.nbytes / dt / 1e6:.1f}}}')


if __name__ == "__main__":
    main()
