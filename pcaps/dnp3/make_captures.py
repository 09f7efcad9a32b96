#!/usr/bin/python3
"""Crafts the DNP3 captures the pcap regression cases and the tshark oracle use.

  poll.pcap            a master (127.0.0.1) polling an outstation (127.0.0.2:20000): link status,
                       integrity poll (class 0) answered in three link frames, event poll (class
                       1/2/3) with a confirmed response, unsolicited response + confirm, time
                       synchronisation (delay measure, write g50v1, record current time)
  poll_port20500.pcap  the same conversation with the outstation on TCP port 20500
  midstream.pcap       poll.pcap from the integrity poll's response on, its first 7 bytes cut:
                       the sensor starts inside a link frame
  gap.pcap             poll.pcap without the second link frame of the integrity poll's response
  udp.pcap             the poll over UDP port 20000, one datagram per link frame
  attacks.pcap         one connection per attack from 127.0.0.66: cold restart (fc 13), stop
                       application (fc 18), direct operate CROB (close + pulse on), a frame with
                       a bad data CRC and one with a bad header CRC

DNP3 has no peer in Debian's archive, so the bytes are built here (CRC-16/DNP computed below),
following IEEE 1815-2012; the TCP handshake, sequence numbers and acknowledgements are real, and
timestamps are fixed, so every run writes the same files. Check with tshark: every frame decodes
as DNP3 with good CRCs except the two deliberate ones in attacks.pcap.

Run from anywhere: /usr/bin/python3 pcaps/dnp3/make_captures.py    (needs python3-scapy)
"""
import os
import struct

from scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MASTER, OUTSTATION = 1, 10
T0 = struct.pack("<Q", 1_700_000_000_000)[:6]  # 2023-11-14T22:13:20Z as a DNP3 time


def crc(data):
    c = 0
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0xA6BC if c & 1 else c >> 1
    c = ~c & 0xFFFF
    return struct.pack("<H", c)


def link_frame(ctl, dst, src, user=b"", bad_header_crc=False, bad_data_crc=False):
    hdr = bytes([0x05, 0x64, 5 + len(user), ctl]) + struct.pack("<HH", dst, src)
    h = crc(hdr)
    if bad_header_crc:
        h = bytes([h[0] ^ 0xFF, h[1]])
    out = hdr + h
    for i in range(0, len(user), 16):
        block = user[i:i + 16]
        c = crc(block)
        if bad_data_crc and i == 0:
            c = bytes([c[0] ^ 0x01, c[1]])
        out += block + c
    return out


def segments(ctl, dst, src, app, tseq, size=249, **kw):
    """An application fragment as one link frame per transport segment."""
    out = []
    off = 0
    while True:
        part = app[off:off + size]
        th = tseq & 0x3F
        if off == 0:
            th |= 0x40
        if off + len(part) >= len(app):
            th |= 0x80
        out.append(link_frame(ctl, dst, src, bytes([th]) + part, **kw))
        tseq += 1
        off += len(part)
        if off >= len(app):
            return out, tseq


class Peers:
    """Master and outstation frames with their transport sequence numbers."""

    def __init__(self):
        self.mseq = 0
        self.oseq = 0

    def req(self, app, **kw):
        frames, self.mseq = segments(0xC4, OUTSTATION, MASTER, app, self.mseq, **kw)
        return [("m", f) for f in frames]

    def rsp(self, app, **kw):
        frames, self.oseq = segments(0x44, MASTER, OUTSTATION, app, self.oseq, **kw)
        return [("o", f) for f in frames]


def poll_script():
    """The normal conversation: (side, bytes) in order; side m = master, o = outstation."""
    p = Peers()
    s = []
    s.append(("m", link_frame(0xC9, OUTSTATION, MASTER)))  # request link status
    s.append(("o", link_frame(0x0B, MASTER, OUTSTATION)))  # link status
    # Unsolicited null response at start-up (device restart), confirmed.
    s += p.rsp(bytes([0xF0, 0x82, 0x80, 0x00]))
    s += p.req(bytes([0xD0, 0x00]))
    # Integrity poll: class 1, 2, 3 then 0; the answer needs three link frames.
    s += p.req(bytes([0xC1, 0x01, 0x3C, 0x02, 0x06, 0x3C, 0x03, 0x06, 0x3C, 0x04, 0x06, 0x3C, 0x01, 0x06]))
    resp = bytearray([0xC1, 0x81, 0x90, 0x00])             # IIN: device restart, need time
    resp += bytes([0x01, 0x02, 0x00, 0x00, 0x07])            # g1v2 binary inputs 0-7
    resp += bytes([0x81, 0x01, 0x81, 0x01, 0x01, 0x01, 0x81, 0x81])
    resp += bytes([0x1E, 0x01, 0x00, 0x00, 0x63])            # g30v1 analog inputs 0-99
    for i in range(100):
        resp += bytes([0x01]) + struct.pack("<i", 1000 + 10 * i)
    resp += bytes([0x14, 0x01, 0x00, 0x00, 0x01])            # g20v1 counters 0-1
    resp += bytes([0x01]) + struct.pack("<I", 12345) + bytes([0x01]) + struct.pack("<I", 678)
    resp += bytes([0x0A, 0x02, 0x00, 0x00, 0x01, 0x81, 0x01])  # g10v2 binary outputs 0-1
    resp += bytes([0x28, 0x02, 0x00, 0x00, 0x00, 0x01, 0x32, 0x00])  # g40v2 analog output 0 = 50
    s += p.rsp(bytes(resp))
    # Time synchronisation: delay measure (the serial procedure), write g50v1, and record current
    # time (the LAN procedure).
    s += p.req(bytes([0xC2, 0x17]))
    s += p.rsp(bytes([0xC2, 0x81, 0x10, 0x00, 0x34, 0x02, 0x07, 0x01, 0x05, 0x00]))
    s += p.req(bytes([0xC3, 0x02, 0x32, 0x01, 0x07, 0x01]) + T0)
    s += p.rsp(bytes([0xC3, 0x81, 0x00, 0x00]))
    s += p.req(bytes([0xC4, 0x18]))
    s += p.rsp(bytes([0xC4, 0x81, 0x00, 0x00]))
    # Clear the restart bit: write g80v1 index 7 = 0.
    s += p.req(bytes([0xC5, 0x02, 0x50, 0x01, 0x00, 0x07, 0x07, 0x00]))
    s += p.rsp(bytes([0xC5, 0x81, 0x00, 0x00]))
    # Event poll: class 1, 2, 3; the answer asks for a confirmation.
    s += p.req(bytes([0xC6, 0x01, 0x3C, 0x02, 0x06, 0x3C, 0x03, 0x06, 0x3C, 0x04, 0x06]))
    ev = bytearray([0xE6, 0x81, 0x00, 0x00])
    ev += bytes([0x02, 0x02, 0x17, 0x01, 0x03, 0x81]) + T0   # g2v2 binary input 3 on, with time
    ev += bytes([0x20, 0x01, 0x17, 0x01, 0x05, 0x01]) + struct.pack("<i", 1234)  # g32v1 analog 5
    s += p.rsp(bytes(ev))
    s += p.req(bytes([0xC6, 0x00]))                          # confirm
    # Unsolicited event, confirmed.
    s += p.rsp(bytes([0xF1, 0x82, 0x00, 0x00, 0x02, 0x01, 0x17, 0x01, 0x04, 0x01]))
    s += p.req(bytes([0xD1, 0x00]))
    return s


def attack_scripts():
    """One short conversation per attack, from an unexpected master."""
    crob = bytes([0x0C, 0x01, 0x28, 0x01, 0x00, 0x02, 0x00, 0x41, 0x01]) + struct.pack("<II", 1000, 0) + b"\x00"
    out = []
    p = Peers()
    out.append(p.req(bytes([0xC0, 0x0D])) + p.rsp(bytes([0xC0, 0x81, 0x00, 0x00, 0x34, 0x01, 0x07, 0x01, 0x0A, 0x00])))
    p = Peers()
    out.append(p.req(bytes([0xC0, 0x12, 0x5A, 0x01, 0x5B, 0x01, 0x05, 0x00]) + b"pump1")
               + p.rsp(bytes([0xC0, 0x81, 0x00, 0x00])))
    p = Peers()
    out.append(p.req(bytes([0xC0, 0x05]) + crob) + p.rsp(bytes([0xC0, 0x81, 0x00, 0x00]) + crob))
    p = Peers()
    out.append(p.req(bytes([0xC0, 0x05]) + crob, bad_data_crc=True) + p.rsp(bytes([0xC0, 0x81, 0x00, 0x00]) + crob))
    p = Peers()
    s = p.req(bytes([0xC0, 0x01, 0x3C, 0x01, 0x06]))
    s += [("m", link_frame(0xC4, OUTSTATION, MASTER, b"\xC1\xC1\x0D", bad_header_crc=True))]
    s += p.req(bytes([0xC2, 0x01, 0x3C, 0x02, 0x06]))
    out.append(s)
    return out


class Tcp:
    def __init__(self, out, t, master_ip, master_port, out_ip, out_port):
        self.out, self.t = out, t
        self.m, self.o, self.mp, self.op = master_ip, out_ip, master_port, out_port
        self.mseq, self.oseq = 1000, 5000
        self.send("m", "S", b"")
        self.send("o", "SA", b"")
        self.send("m", "A", b"")

    def send(self, side, flags, data):
        if side == "m":
            src, dst, sp, dp, seq, ack = self.m, self.o, self.mp, self.op, self.mseq, self.oseq
        else:
            src, dst, sp, dp, seq, ack = self.o, self.m, self.op, self.mp, self.oseq, self.mseq
        if flags in ("S", "SA"):
            seq -= 1
        if flags == "S":
            ack = 0
        pkt = Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / IP(src=src, dst=dst) / TCP(
            sport=sp, dport=dp, flags=flags, seq=seq, ack=ack, window=65535)
        if data:
            pkt = pkt / Raw(data)
        pkt = Ether(bytes(pkt))
        self.t += 0.002
        pkt.time = self.t
        self.out.append(pkt)
        if side == "m":
            self.mseq += len(data)
        else:
            self.oseq += len(data)

    def play(self, script):
        for side, data in script:
            self.send(side, "PA", data)

    def close(self):
        self.send("m", "FA", b"")
        self.mseq += 1
        self.send("o", "FA", b"")
        self.oseq += 1
        self.send("m", "A", b"")


def write(name, pkts):
    wrpcap(os.path.join(HERE, name), pkts)


def main():
    script = poll_script()
    out = []
    c = Tcp(out, 1_700_000_000.0, "127.0.0.1", 40000, "127.0.0.2", 20000)
    c.play(script)
    c.close()
    write("poll.pcap", out)

    moved = []
    c = Tcp(moved, 1_700_000_000.0, "127.0.0.1", 40001, "127.0.0.2", 20500)
    c.play(script)
    c.close()
    write("poll_port20500.pcap", moved)

    # midstream: from the integrity poll's response (frames 3 + 4 link frames in) on, its first
    # 7 payload bytes removed.
    first = next(i for i, p in enumerate(out) if Raw in p and bytes(p[Raw])[3] == 0x44 and len(p[Raw]) > 200)
    mid = [p.copy() for p in out[first:]]
    p0 = mid[0].copy()
    payload = bytes(p0[Raw])
    p0[TCP].remove_payload()
    p0[TCP].seq += 7
    p0 = p0 / Raw(payload[7:])
    del p0[IP].len, p0[IP].chksum, p0[TCP].chksum
    cut = Ether(bytes(p0))
    cut.time = mid[0].time
    mid[0] = cut
    write("midstream.pcap", mid)

    # gap: the second link frame of that response is lost.
    write("gap.pcap", [p for i, p in enumerate(out) if i != first + 1])

    udp = []
    t = 1_700_000_000.0
    for side, data in script:
        src, dst, sp, dp = ("127.0.0.1", "127.0.0.2", 40002, 20000) if side == "m" else \
            ("127.0.0.2", "127.0.0.1", 20000, 40002)
        pkt = Ether(bytes(Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / IP(src=src, dst=dst) /
                          UDP(sport=sp, dport=dp) / Raw(data)))
        t += 0.002
        pkt.time = t
        udp.append(pkt)
    write("udp.pcap", udp)

    attacks = []
    t = 1_700_000_100.0
    for n, s in enumerate(attack_scripts()):
        c = Tcp(attacks, t, "127.0.0.66", 41000 + n, "127.0.0.2", 20000)
        c.play(s)
        c.close()
        t = c.t + 1
    write("attacks.pcap", attacks)


if __name__ == "__main__":
    main()
