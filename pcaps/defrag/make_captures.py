#!/usr/bin/python3
"""Crafts the IP fragmentation captures the defragmenter's pcap regression cases use.

  modbus_ipv4_whole.pcap       a Modbus/TCP session over IPv4, one segment per packet
  modbus_ipv4_fragmented.pcap  the same session with some segments sent as IP fragments: in
                               order, out of order, reversed, duplicated (also after completion)
  modbus_ipv6_whole.pcap       the same session over IPv6
  modbus_ipv6_fragmented.pcap  ... fragmented (IPv6 fragment header, one request with a
                               destination options header before it)
  overlap.pcap                 a Modbus write whose value is sent twice, differently, in
                               overlapping fragments (IPv4 session, then IPv6 session)
  teardrop.pcap                fragments nested inside an earlier one (UDP, TCP header part),
                               and the 1997 teardrop.c pair
  ping_of_death.pcap           ICMP and ICMPv6 echo requests whose last fragment ends past 65535
  tiny_fragments.pcap          RFC 1858 tiny first fragment and TCP header rewrite at offset 8,
                               RFC 7112 IPv6 first fragment without the whole header chain
  too_many_fragments.pcap      a UDP datagram in 65 fragments of 8 bytes (the limit is 64)
  timeout.pcap                 IPv4 and IPv6 first fragments whose datagrams never complete,
                               then packets 31 s and 61 s later

Every field is fixed (addresses, ports, sequence numbers, IP identifications, timestamps), so
the files are the same on every run. pcaps/defrag/README.md describes each file.

Run from anywhere: /usr/bin/python3 pcaps/defrag/make_captures.py
Needs python3-scapy (Debian).
"""
import os
import struct
from decimal import Decimal

from scapy.all import (IP, TCP, UDP, Ether, ICMP, ICMPv6EchoRequest, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, PadN, Raw, wrpcap)

HERE = os.path.dirname(os.path.abspath(__file__))
T0_US = 1_700_000_000_000_000  # 2023-11-14 22:13:20 UTC, in microseconds
MAC_CLIENT, MAC_SERVER = "00:00:00:00:00:01", "00:00:00:00:00:02"


def mbap(tid, unit, pdu):
    return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu


def read_hr(addr, qty):
    return bytes([0x03]) + struct.pack(">HH", addr, qty)


def read_hr_resp(values):
    return bytes([0x03, 2 * len(values)]) + b"".join(struct.pack(">H", v) for v in values)


def write_sr(addr, value):
    return bytes([0x06]) + struct.pack(">HH", addr, value)


class Capture:
    """Frames with fixed, increasing timestamps (1 ms apart unless told), kept in integer
    microseconds so that no float rounding shows in the file."""

    def __init__(self):
        self.frames = []
        self.us = T0_US

    def add(self, l3, from_client=True, gap_us=1000):
        src, dst = (MAC_CLIENT, MAC_SERVER) if from_client else (MAC_SERVER, MAC_CLIENT)
        p = Ether(bytes(Ether(src=src, dst=dst) / l3))
        self.us += gap_us
        p.time = Decimal(self.us) / Decimal(1_000_000)
        self.frames.append(p)

    def write(self, name):
        wrpcap(os.path.join(HERE, name), self.frames)


def ip_header(v6, src, dst):
    return IPv6(src=src, dst=dst, hlim=64) if v6 else IP(src=src, dst=dst, ttl=64)


def transport_bytes(v6, src, dst, l4):
    """The transport header and payload with the checksum of this address pair."""
    return bytes(ip_header(v6, src, dst) / l4)[40 if v6 else 20:]


def fragment(v6, src, dst, proto, ident, data, begin, end, more, dest_opts=False):
    """The IP packet carrying bytes [begin, end) of the datagram's transport bytes `data`."""
    chunk = Raw(data[begin:end])
    if v6:
        frag = IPv6ExtHdrFragment(nh=proto, offset=begin // 8, m=1 if more else 0, id=ident)
        if dest_opts:
            return IPv6(src=src, dst=dst, hlim=64) / IPv6ExtHdrDestOpt(
                nh=44, options=[PadN(optdata=b"\x00" * 4)]) / frag / chunk
        return IPv6(src=src, dst=dst, hlim=64) / frag / chunk
    return IP(src=src, dst=dst, ttl=64, id=ident, flags="MF" if more else 0, frag=begin // 8,
              proto=proto) / chunk


class TcpSession:
    """A TCP connection client -> server:502 whose segments may be sent as IP fragments."""

    def __init__(self, cap, v6, client, server, cport, ident_base):
        self.cap, self.v6 = cap, v6
        self.c, self.s, self.cport = client, server, cport
        self.cseq, self.sseq = 999, 8999  # initial sequence numbers: data starts at 1000 / 9000
        self.ident = ident_base

    def l4(self, from_client, flags, data=b""):
        """The transport bytes of the next segment in that direction (sequence numbers kept)."""
        src, dst = (self.c, self.s) if from_client else (self.s, self.c)
        sport, dport = (self.cport, 502) if from_client else (502, self.cport)
        seq = self.cseq if from_client else self.sseq
        ack = (self.sseq if from_client else self.cseq) if "A" in flags else 0
        seg = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192)
        if data:
            seg = seg / Raw(data)
        return transport_bytes(self.v6, src, dst, seg)

    def segment(self, from_client, flags, data=b"", plan=None, dest_opts=False):
        """Sends one segment: whole, or as fragments (begin, end[, bytes]) in the order listed
        (end None: to the end of the segment; bytes: what this fragment carries instead)."""
        self.send(from_client, self.l4(from_client, flags, data), plan, dest_opts)
        self.advance(from_client, len(data) + (1 if ("S" in flags or "F" in flags) else 0))

    def advance(self, from_client, n):
        if from_client:
            self.cseq += n
        else:
            self.sseq += n

    def send(self, from_client, data, plan=None, dest_opts=False):
        src, dst = (self.c, self.s) if from_client else (self.s, self.c)
        self.ident += 1
        if plan is None:
            head = IPv6(src=src, dst=dst, hlim=64, nh=6) if self.v6 else IP(src=src, dst=dst, ttl=64,
                                                                            id=self.ident, proto=6)
            self.cap.add(head / Raw(data), from_client)
            return
        for begin, end, *carried in plan:
            end = len(data) if end is None else end
            self.cap.add(fragment(self.v6, src, dst, 6, self.ident, carried[0] if carried else data, begin,
                                  end, end < len(data), dest_opts), from_client)

    def open(self):
        self.segment(True, "S")
        self.segment(False, "SA")
        self.segment(True, "A")

    def close(self):
        self.segment(True, "FA")
        self.segment(False, "FA")
        self.segment(True, "A")


def modbus_session(v6, fragmented):
    """The reference session: tid 1-4, fc 3 / fc 6, then FIN both ways. With `fragmented`, the
    segments go as IP fragments as listed (ranges of the TCP segment: header 20 bytes)."""
    cap = Capture()
    if v6:
        client, server = "fd00:10::20", "fd00:10::10"
    else:
        client, server = "10.10.0.20", "10.10.0.10"
    sess = TcpSession(cap, v6, client, server, 41000, 0x4000)
    sess.open()

    def plan(p):
        return p if fragmented else None

    # tid 1 read HR 0/10: request in order; response (49 bytes) out of order.
    sess.segment(True, "PA", mbap(1, 1, read_hr(0, 10)), plan([(0, 24), (24, None)]))
    sess.segment(False, "PA", mbap(1, 1, read_hr_resp(list(range(1000, 1010)))),
                 plan([(24, 48), (48, None), (0, 24)]))
    # tid 2 write HR 5 = 1234: request with a duplicated first fragment (and, over IPv6, a
    # destination options header before the fragment header); response whole.
    sess.segment(True, "PA", mbap(2, 1, write_sr(5, 1234)), plan([(0, 24), (0, 24), (24, None)]),
                 dest_opts=v6)
    sess.segment(False, "PA", mbap(2, 1, write_sr(5, 1234)))
    # tid 3 read HR 100/3: request reversed; response (35 bytes) reversed in three, then a late
    # copy of its middle fragment after the datagram was complete.
    sess.segment(True, "PA", mbap(3, 1, read_hr(100, 3)), plan([(24, None), (0, 24)]))
    sess.segment(False, "PA", mbap(3, 1, read_hr_resp([1100, 1101, 1102])),
                 plan([(32, None), (24, 32), (0, 24), (24, 32)]))
    # tid 4 write HR 6 = 42: whole.
    sess.segment(True, "PA", mbap(4, 1, write_sr(6, 42)))
    sess.segment(False, "PA", mbap(4, 1, write_sr(6, 42)))
    sess.close()
    cap.write("modbus_ipv%d_%s.pcap" % (6 if v6 else 4, "fragmented" if fragmented else "whole"))


def overlap():
    """fc 6 write HR 1: the last fragment comes twice before the first, once with value 1234,
    then with 9999 at the same place; the first fragment completes the datagram."""
    cap = Capture()
    for v6, client, server, port, base in ((False, "10.10.0.30", "10.10.0.10", 41100, 0x5000),
                                           (True, "fd00:10::30", "fd00:10::10", 41101, 0x5100)):
        sess = TcpSession(cap, v6, client, server, port, base)
        sess.open()
        honest = mbap(7, 1, write_sr(1, 1234))
        a = sess.l4(True, "PA", honest)
        b = sess.l4(True, "PA", mbap(7, 1, write_sr(1, 9999)))
        # [24, 32) honest, [24, 32) forged (overlap, different bytes), [0, 24) completes.
        sess.send(True, a, [(24, None), (24, None, b), (0, 24)])
        sess.advance(True, len(honest))
        sess.segment(False, "PA", mbap(7, 1, write_sr(1, 1234)))
        sess.close()
    cap.write("overlap.pcap")


def teardrop():
    cap = Capture()
    src, dst = "10.10.0.40", "10.10.0.10"
    udp = transport_bytes(False, src, dst, UDP(sport=41200, dport=33333) / Raw(b"teardrop" * 5))  # 48
    # 1: a last fragment [24, 28) inside the first [0, 32).
    cap.add(fragment(False, src, dst, 17, 0x6001, udp, 0, 32, True))
    cap.add(fragment(False, src, dst, 17, 0x6001, udp, 24, 28, False))
    # 2: TCP, a fragment [8, 16) inside the TCP header part of the first [0, 24).
    tcp = transport_bytes(False, src, dst, TCP(sport=41201, dport=502, flags="PA", seq=1000, ack=9000,
                                               window=8192) / Raw(mbap(1, 1, read_hr(0, 1))))
    evil = bytearray(tcp)
    evil[13] = 0x02  # SYN
    cap.add(fragment(False, src, dst, 6, 0x6002, tcp, 0, 24, True))
    cap.add(fragment(False, src, dst, 6, 0x6002, bytes(evil), 8, 16, True))
    # 3: the 1997 teardrop.c pair: 36 bytes at offset 0 with MF, then 4 bytes at offset 24.
    classic = transport_bytes(False, src, dst, UDP(sport=41202, dport=33333) / Raw(b"\x00" * 28))
    cap.add(fragment(False, src, dst, 17, 0x6003, classic, 0, 36, True))
    cap.add(fragment(False, src, dst, 17, 0x6003, classic + b"\x00" * 4, 24, 28, False))
    cap.write("teardrop.pcap")


def ping_of_death():
    cap = Capture()
    for v6, src, dst, ident in ((False, "10.10.0.50", "10.10.0.10", 0x7001),
                                (True, "fd00:10::50", "fd00:10::10", 0x7002)):
        echo = ICMPv6EchoRequest(id=1, seq=1) if v6 else ICMP(type=8, id=1, seq=1)
        head = transport_bytes(v6, src, dst, echo / Raw(b"A" * 8))  # 16 bytes
        proto = 58 if v6 else 1
        cap.add(fragment(v6, src, dst, proto, ident, head, 0, 16, True))
        # The last fragment: 40 bytes at offset 65512, ending at 65552 (> 65535 with any header).
        tail = b"\x00" * 65512 + b"A" * 40
        cap.add(fragment(v6, src, dst, proto, ident, tail, 65512, 65552, False))
    cap.write("ping_of_death.pcap")


def tiny_fragments():
    cap = Capture()
    client, server = "10.10.0.60", "10.10.0.10"
    sess = TcpSession(cap, False, client, server, 41300, 0x8000)
    sess.open()
    # tid 1: the first fragment holds 8 of the 20 TCP header bytes (RFC 1858 §3.1).
    sess.segment(True, "PA", mbap(1, 1, read_hr(0, 2)), [(0, 8), (8, None)])
    sess.segment(False, "PA", mbap(1, 1, read_hr_resp([1000, 1001])))
    # tid 2: a second fragment at offset 8 rewrites the TCP header of the first (RFC 1858 §3.2):
    # here the ACK and PSH flags become SYN. The first fragment's header is kept.
    req = mbap(2, 1, write_sr(5, 77))
    a = sess.l4(True, "PA", req)
    b = bytearray(a)
    b[13] = 0x02
    sess.send(True, a, [(0, 24), (8, None, bytes(b))])
    sess.advance(True, len(req))
    sess.segment(False, "PA", mbap(2, 1, write_sr(5, 77)))
    sess.close()
    # IPv6 UDP whose fragmentable part starts with a 16-byte destination options header: the
    # first fragment holds 8 bytes of it (RFC 7112: the whole header chain must be in it).
    src, dst = "fd00:10::60", "fd00:10::10"
    body = transport_bytes(True, src, dst, IPv6ExtHdrDestOpt(nh=17, options=[PadN(optdata=b"\x00" * 12)]) /
                           UDP(sport=41301, dport=33333) / Raw(b"header chain split"))
    cap.add(fragment(True, src, dst, 60, 0x8101, body, 0, 8, True))
    cap.add(fragment(True, src, dst, 60, 0x8101, body, 8, len(body), False))
    cap.write("tiny_fragments.pcap")


def too_many_fragments():
    cap = Capture()
    src, dst = "10.10.0.70", "10.10.0.10"
    udp = transport_bytes(False, src, dst, UDP(sport=41400, dport=33333) / Raw(b"sixty-five frags" * 32))
    assert len(udp) == 520
    for begin in range(0, 520, 8):
        cap.add(fragment(False, src, dst, 17, 0x9001, udp, begin, begin + 8, begin + 8 < 520))
    cap.write("too_many_fragments.pcap")


def timeout():
    cap = Capture()
    v4 = ("10.10.0.80", "10.10.0.10")
    v6 = ("fd00:10::80", "fd00:10::10")
    u4 = transport_bytes(False, *v4, UDP(sport=41500, dport=33333) / Raw(b"never completed" * 4))
    u6 = transport_bytes(True, *v6, UDP(sport=41501, dport=33333) / Raw(b"never completed" * 4))
    cap.add(fragment(False, *v4, 17, 0xa001, u4, 0, 32, True))  # frame 1; the rest never comes
    cap.add(fragment(True, *v6, 17, 0xa002, u6, 0, 32, True))   # frame 2
    # Whole packets later drive the clock: 31 s (IPv4 timeout 30 s) and 61 s (IPv6: 60 s).
    cap.add(IP(src=v4[0], dst=v4[1], ttl=64, id=0xa003) / UDP(sport=41502, dport=33333) / Raw(b"later"),
            gap_us=31_000_000)
    cap.add(IP(src=v4[0], dst=v4[1], ttl=64, id=0xa004) / UDP(sport=41502, dport=33333) / Raw(b"later"),
            gap_us=30_000_000)
    cap.write("timeout.pcap")


if __name__ == "__main__":
    for v6 in (False, True):
        for fragmented in (False, True):
            modbus_session(v6, fragmented)
    overlap()
    teardrop()
    ping_of_death()
    tiny_fragments()
    too_many_fragments()
    timeout()
