#!/usr/bin/python3
"""Write a Modbus/TCP capture in which every flow carries one Read Holding Registers
transaction, for the writer's crash-safety and disk-full tests (tests/e2e/*.sh).

    gen_alert_storm.py OUT.pcap --flows N [--base-time SECONDS] [--split A,B]

Each flow (its own client address and port, so no two alerts share a flow or a host pair and
alert aggregation never merges them) is a three-way handshake, one request (function 3) and
its response: 5 packets, 1 ms apart. A rule matching function 3 requests therefore raises
exactly N alerts, each with a distinct (ts_us, sid, pcap_cnt). With --split A,B the capture
is also written as OUT.1 (global header + flows [0, A)), OUT.2 (records of flows [A, B)) and
OUT.3 (the rest), to be fed through a pipe in stages. Standard library only; deterministic.
"""

import argparse
import struct

LINKTYPE_ETHERNET = 1
GLOBAL_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET)
SYN, ACK, PSH = 0x02, 0x10, 0x08


def csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = src + dst + struct.pack(">BBH", 0, 6, len(tcp) + len(payload))
    tcp = tcp[:16] + struct.pack(">H", csum(pseudo + tcp + payload)) + tcp[18:]
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp + payload


def flow_records(i, base_us):
    c = i + 1
    client = bytes([10, 1 + (c >> 16) % 200, (c >> 8) & 0xFF, c & 0xFF])
    server = bytes([10, 0, 0, 1])
    sport = 1024 + i % 60000
    c_isn, s_isn = 1000, 5000
    tid = i & 0xFFFF
    req = struct.pack(">HHHBBHH", tid, 0, 6, 1, 3, 0, 10)
    resp = struct.pack(">HHHBBB", tid, 0, 23, 1, 3, 20) + bytes(20)
    pkts = [
        (client, server, sport, 502, c_isn, 0, SYN, b""),
        (server, client, 502, sport, s_isn, c_isn + 1, SYN | ACK, b""),
        (client, server, sport, 502, c_isn + 1, s_isn + 1, ACK, b""),
        (client, server, sport, 502, c_isn + 1, s_isn + 1, PSH | ACK, req),
        (server, client, 502, sport, s_isn + 1, c_isn + 1 + len(req), PSH | ACK, resp),
    ]
    out = bytearray()
    for k, p in enumerate(pkts):
        data = frame(*p)
        t = base_us + (i * 5 + k) * 1000
        out += struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(data), len(data)) + data
    return bytes(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--flows", type=int, required=True)
    ap.add_argument("--base-time", type=int, default=1704067200)
    ap.add_argument("--split", default="")
    a = ap.parse_args()
    base_us = a.base_time * 1_000_000
    cuts = [int(x) for x in a.split.split(",")] if a.split else []
    parts = [bytearray(GLOBAL_HDR)] + [bytearray() for _ in cuts]
    with open(a.out, "wb") as f:
        f.write(GLOBAL_HDR)
        for i in range(a.flows):
            rec = flow_records(i, base_us)
            f.write(rec)
            parts[sum(1 for c in cuts if i >= c)] += rec
    for n, p in enumerate(parts if cuts else [], start=1):
        with open(f"{a.out}.{n}", "wb") as f:
            f.write(p)


if __name__ == "__main__":
    main()
