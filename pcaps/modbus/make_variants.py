#!/usr/bin/python3
"""Derives and crafts the Modbus captures the pcap regression cases use.

  midstream.pcap  pymodbus_functions.pcap from frame 12 on, with the first 3 payload bytes of
                  frame 12 cut off: the sensor starts in the middle of a session and of a PDU.
  gap.pcap        pymodbus_functions.pcap without frame 20 (the fc 15 request, tid 8): a lost
                  segment in the client's stream.
  malformed.pcap  crafted: one TCP connection to port 502 per kind of bad PDU, each after a
                  normal request so the session is established (timestamps fixed, so the file
                  is the same on every run).

Run from anywhere: /usr/bin/python3 pcaps/modbus/make_variants.py
Needs python3-scapy (Debian).
"""
import os
import struct

from scapy.all import IP, TCP, Ether, Raw, rdpcap, wrpcap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def derive():
    pkts = rdpcap(os.path.join(HERE, "pymodbus_functions.pcap"))
    # midstream: frames 12.. (1-based), first 3 bytes of frame 12's payload removed.
    mid = [p.copy() for p in pkts[11:]]
    first = mid[0]
    payload = bytes(first[TCP].payload)
    assert len(payload) > 3, "frame 12 should carry a Modbus request"
    first[TCP].remove_payload()
    first[TCP].seq += 3
    first = first / Raw(payload[3:])
    del first[IP].len, first[IP].chksum, first[TCP].chksum
    first.time = pkts[11].time
    mid[0] = Ether(bytes(first))
    mid[0].time = pkts[11].time
    wrpcap(os.path.join(HERE, "midstream.pcap"), mid)
    # gap: drop frame 20.
    gap = [p for i, p in enumerate(pkts) if i != 19]
    wrpcap(os.path.join(HERE, "gap.pcap"), gap)


def mbap(tid, unit, pdu, proto_id=0, length=None):
    if length is None:
        length = len(pdu) + 1
    return struct.pack(">HHHB", tid, proto_id, length, unit) + pdu


class Conn:
    """A crafted TCP connection on loopback addresses, with sequence numbers kept."""

    def __init__(self, out, t, client_port, client="127.0.0.30", server="127.0.0.1"):
        self.out, self.t = out, t
        self.c, self.s, self.cp = client, server, client_port
        self.cseq, self.sseq = 1000, 9000
        self.send(self.c, self.s, self.cp, 502, "S", self.cseq - 1, 0, b"")
        self.send(self.s, self.c, 502, self.cp, "SA", self.sseq - 1, self.cseq, b"")
        self.send(self.c, self.s, self.cp, 502, "A", self.cseq, self.sseq, b"")

    def send(self, src, dst, sport, dport, flags, seq, ack, data):
        p = Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / IP(src=src, dst=dst) / TCP(
            sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=65535)
        if data:
            p = p / Raw(data)
        p = Ether(bytes(p))
        self.t += 0.001
        p.time = self.t
        self.out.append(p)

    def req(self, data):
        self.send(self.c, self.s, self.cp, 502, "PA", self.cseq, self.sseq, data)
        self.cseq += len(data)

    def rsp(self, data):
        self.send(self.s, self.c, 502, self.cp, "PA", self.sseq, self.cseq, data)
        self.sseq += len(data)


def craft_malformed():
    out = []
    t = 1_700_000_000.0
    read_req = mbap(1, 1, bytes([0x03, 0x00, 0x00, 0x00, 0x02]))
    read_rsp = mbap(1, 1, bytes([0x03, 0x04, 0x00, 0x01, 0x00, 0x02]))
    cases = [
        # (client port, request after the good exchange)
        (41001, mbap(2, 1, bytes([0x03, 0x00, 0x00, 0x00, 0x01]), proto_id=7)),  # bad protocol id
        (41002, mbap(2, 1, b"", length=1)),                                      # length < 2
        (41003, mbap(2, 1, bytes([0x03]), length=300)),                           # length > 254
        (41004, mbap(2, 1, bytes([0x99, 0x00]))),                                 # unknown function
        (41005, mbap(2, 1, bytes([0x10, 0x00, 0x00, 0x00, 0x02, 0x06, 0, 1, 0, 2]))),  # byte count 6 for 2 regs
        (41006, mbap(2, 1, bytes([0x01, 0x00, 0x00, 0x0f, 0xa1]))),               # read 4001 coils
    ]
    for port, bad in cases:
        c = Conn(out, t, port)
        c.req(read_req)
        c.rsp(read_rsp)
        c.req(bad)
        t = c.t + 1
    # A response nobody asked for (tid 77), on its own connection.
    c = Conn(out, t, 41007)
    c.rsp(mbap(77, 1, bytes([0x06, 0x00, 0x01, 0x00, 0x05])))
    wrpcap(os.path.join(HERE, "malformed.pcap"), out)


if __name__ == "__main__":
    derive()
    craft_malformed()
