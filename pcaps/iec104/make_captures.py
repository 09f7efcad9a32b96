#!/usr/bin/python3
"""Makes the IEC 60870-5-104 captures in pcaps/iec104/ (pcaps/README.md says what each holds).

    sudo /usr/bin/python3 pcaps/iec104/make_captures.py peers     # normal.pcap, attack.pcap
    /usr/bin/python3 pcaps/iec104/make_captures.py variants       # the derived and crafted ones
    sudo /usr/bin/python3 pcaps/iec104/make_captures.py           # both

peers: real TCP over loopback, captured with tcpdump on lo (needs root and a free port 2404).
A small asyncio controlled station (server, 127.0.0.1:2404, common address 1) and controlling
stations (clients bound to 127.0.0.40 and 127.0.0.66) written here from IEC 60870-5-104:2006:
k/w flow control is kept simple (the client acknowledges with an S-format APDU after each
exchange, the server's I-format APDUs acknowledge the client's). Every value is fixed and each
APDU is its own write with TCP_NODELAY, so two runs differ only in timestamps, ephemeral ports,
TCP sequence numbers and, rarely, a pure ACK. The clients check every answer and abort if the
station did not answer as planned.

variants: no root, no network, byte-for-byte the same on every run (python3-scapy):
  midstream.pcap  normal.pcap from the frame of the first M_SP_NA_1 on, with its first 3
                  payload bytes cut off: pickup inside a connection and inside an APDU.
  gap.pcap        normal.pcap without the frame carrying the M_ME_NC_1 interrogation answer.
  port2405.pcap   normal.pcap with the station on TCP port 2405 (checksums recomputed).
  malformed.pcap  crafted connections with fixed timestamps, one kind of bad traffic each.
"""

import asyncio
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PORT = 2404
STATION = "127.0.0.1"
CA = 1

# -------------------------------------------------------------------------- APDU builders
STARTDT_ACT, STARTDT_CON = 0x07, 0x0B
STOPDT_ACT, STOPDT_CON = 0x13, 0x23
TESTFR_ACT, TESTFR_CON = 0x43, 0x83


def u_frame(control1):
    return bytes([0x68, 0x04, control1, 0x00, 0x00, 0x00])


def s_frame(nr):
    return bytes([0x68, 0x04, 0x01, 0x00]) + struct.pack("<H", nr << 1)


def i_frame(ns, nr, asdu):
    return bytes([0x68, 4 + len(asdu)]) + struct.pack("<HH", ns << 1, nr << 1) + asdu


def asdu(type_id, cot, objects, sq=False, ca=CA, negative=False, originator=0):
    """objects: list of (ioa, element bytes); with sq only the first address is written."""
    body = b""
    for n, (ioa, elements) in enumerate(objects):
        if n == 0 or not sq:
            body += struct.pack("<I", ioa)[:3]
        body += elements
    vsq = (0x80 if sq else 0) | len(objects)
    return bytes([type_id, vsq, cot | (0x40 if negative else 0), originator]) + struct.pack("<H", ca) + body


def cp56(year, month, day, hour, minute, ms):
    return struct.pack("<HBBBBB", ms, minute, hour, day, month, year - 2000)


CLOCK = cp56(2024, 5, 1, 12, 0, 0)          # what the client sets
EVENT_TIME = cp56(2024, 5, 1, 12, 0, 1500)  # time tag of the station's events

# The station's points: single points 1001-1004, measured floats 2001-2003, scaled 2101-2102,
# switch 3001 (single command, reported back as single point 1001).
SINGLE = {1001: 1, 1002: 0, 1003: 1, 1004: 0}
FLOATS = {2001: 230.5, 2002: 49.98, 2003: -12.25}
SCALED = {2101: 1200, 2102: -35}
SWITCH_IOA = 3001


# ------------------------------------------------------------------------------ framing
async def read_apdu(reader):
    head = await reader.readexactly(2)
    if head[0] != 0x68:
        raise RuntimeError(f"bad start byte {head[0]:#x}")
    body = await reader.readexactly(head[1])
    return head + body


def kind(apdu):
    c1 = apdu[2]
    if c1 & 1 == 0:
        return "I"
    return "S" if c1 & 3 == 1 else "U"


class Link:
    """One side of a connection: sequence numbers and one write per APDU."""

    def __init__(self, reader, writer):
        self.r, self.w = reader, writer
        self.vs = self.vr = 0
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def send(self, data):
        self.w.write(data)
        await self.w.drain()
        await asyncio.sleep(0.01)  # one APDU per segment

    async def send_i(self, a):
        await self.send(i_frame(self.vs, self.vr, a))
        self.vs = (self.vs + 1) % 32768

    async def recv(self):
        apdu = await read_apdu(self.r)
        if kind(apdu) == "I":
            self.vr = (self.vr + 1) % 32768
        return apdu


# ------------------------------------------------------------------------------ station
async def station_conn(reader, writer):
    link = Link(reader, writer)
    try:
        while True:
            apdu = await link.recv()
            k = kind(apdu)
            if k == "U":
                answer = {STARTDT_ACT: STARTDT_CON, STOPDT_ACT: STOPDT_CON, TESTFR_ACT: TESTFR_CON}
                await link.send(u_frame(answer[apdu[2]]))
            elif k == "I":
                await station_asdu(link, apdu[6:])
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def station_asdu(link, a):
    type_id, cot, ioa = a[0], a[2] & 0x3F, int.from_bytes(a[6:9], "little")
    objects = [(ioa, a[9:])]
    if type_id == 100 and cot == 6:  # C_IC_NA_1: station interrogation
        await link.send_i(asdu(100, 7, objects))
        await link.send_i(asdu(1, 20, [(i, bytes([v])) for i, v in SINGLE.items()]))
        await link.send_i(asdu(13, 20, [(i, struct.pack("<fB", v, 0)) for i, v in FLOATS.items()]))
        await link.send_i(asdu(11, 20, [(i, struct.pack("<hB", v, 0)) for i, v in SCALED.items()]))
        await link.send_i(asdu(100, 10, objects))
    elif type_id == 103 and cot == 6:  # C_CS_NA_1: clock synchronisation
        await link.send_i(asdu(103, 7, objects))
        await asyncio.sleep(0.1)
        # A spontaneous measurement with a time tag, as after any change.
        await link.send_i(asdu(36, 3, [(2001, struct.pack("<fB", 231.0, 0) + EVENT_TIME)]))
    elif type_id == 45 and cot == 6:  # C_SC_NA_1
        if ioa != SWITCH_IOA:
            await link.send_i(asdu(45, 47, objects, negative=True))  # unknown IOA
            return
        sco = a[9]
        await link.send_i(asdu(45, 7, objects))
        if sco & 0x80 == 0:  # executed: the point moves, then the command terminates
            SINGLE[1001] = sco & 1
            await link.send_i(asdu(30, 11, [(1001, bytes([sco & 1]) + EVENT_TIME)]))
            await link.send_i(asdu(45, 10, objects))
    elif type_id == 105 and cot == 6:  # C_RP_NA_1: reset process
        await link.send_i(asdu(105, 7, objects))
    else:
        await link.send_i(asdu(type_id, 44, objects, negative=True))  # unknown type


# ------------------------------------------------------------------------------ clients
def check(cond, what):
    if not cond:
        raise RuntimeError(f"unexpected answer: {what}")


async def connect(source):
    reader, writer = await asyncio.open_connection(STATION, PORT, local_addr=(source, 0))
    return Link(reader, writer)


async def expect_u(link, control1):
    apdu = await link.recv()
    check(kind(apdu) == "U" and apdu[2] == control1, f"U {control1:#x}, got {apdu.hex()}")


async def expect_i(link, type_id, cot):
    apdu = await link.recv()
    check(kind(apdu) == "I" and apdu[6] == type_id and apdu[8] & 0x3F == cot,
          f"type {type_id} cot {cot}, got {apdu.hex()}")
    return apdu


async def start(link):
    await link.send(u_frame(STARTDT_ACT))
    await expect_u(link, STARTDT_CON)


async def interrogate(link):
    await link.send_i(asdu(100, 6, [(0, bytes([20]))]))
    await expect_i(link, 100, 7)
    for type_id in (1, 13, 11):
        await expect_i(link, type_id, 20)
    await expect_i(link, 100, 10)
    await link.send(s_frame(link.vr))


async def finish(link):
    await link.send(u_frame(TESTFR_ACT))
    await expect_u(link, TESTFR_CON)
    await link.send(u_frame(STOPDT_ACT))
    await expect_u(link, STOPDT_CON)
    link.w.close()
    await link.w.wait_closed()
    await asyncio.sleep(0.05)


async def normal():
    link = await connect("127.0.0.40")
    await start(link)
    await interrogate(link)
    await link.send_i(asdu(103, 6, [(0, CLOCK)]))
    await expect_i(link, 103, 7)
    await expect_i(link, 36, 3)
    await link.send(s_frame(link.vr))
    await finish(link)


async def attack():
    hmi = await connect("127.0.0.40")
    await start(hmi)
    await interrogate(hmi)
    # A second controlling station nobody configured: operates the switch, probes an address
    # the station does not have, and resets the process.
    evil = await connect("127.0.0.66")
    await start(evil)
    await evil.send_i(asdu(45, 6, [(SWITCH_IOA, bytes([0x80]))]))  # select OFF
    await expect_i(evil, 45, 7)
    await evil.send_i(asdu(45, 6, [(SWITCH_IOA, bytes([0x00]))]))  # execute OFF
    await expect_i(evil, 45, 7)
    await expect_i(evil, 30, 11)
    await expect_i(evil, 45, 10)
    await evil.send_i(asdu(45, 6, [(9999, bytes([0x01]))]))  # execute ON at an unknown IOA
    await expect_i(evil, 45, 47)
    await evil.send_i(asdu(105, 6, [(0, bytes([1]))]))  # general reset of process
    await expect_i(evil, 105, 7)
    await evil.send(s_frame(evil.vr))
    evil.w.close()
    await evil.w.wait_closed()
    await finish(hmi)


async def run_scenario(scenario):
    server = await asyncio.start_server(station_conn, STATION, PORT)
    try:
        await asyncio.wait_for(scenario(), timeout=20)
    finally:
        server.close()
        await server.wait_closed()


def capture(name, scenario, hosts):
    out = os.path.join(HERE, name)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_pcap = os.path.join(tmp, name)
        log = open(os.path.join(tmp, "tcpdump.log"), "w+")
        filt = f"tcp port {PORT} and (" + " or ".join(f"host {h}" for h in hosts) + ")"
        dump = subprocess.Popen(["tcpdump", "-i", "lo", "-U", "-n", "-s", "0", "-w", tmp_pcap, filt],
                                stderr=log)
        for _ in range(100):
            log.seek(0)
            if "listening on" in log.read():
                break
            time.sleep(0.1)
        time.sleep(0.3)
        try:
            asyncio.run(run_scenario(scenario))
        finally:
            time.sleep(0.5)
            dump.send_signal(subprocess.signal.SIGINT)
            dump.wait()
        os.replace(tmp_pcap, out)
        os.chmod(out, 0o644)
    print(f"{name}: {subprocess.run(['capinfos', '-c', '-M', out], capture_output=True, text=True).stdout.split(chr(10))[1].strip()}")


def peers():
    capture("normal.pcap", normal, ["127.0.0.40"])
    capture("attack.pcap", attack, ["127.0.0.40", "127.0.0.66"])


# ----------------------------------------------------------------------------- variants
def variants():
    from scapy.all import IP, TCP, Ether, Raw, rdpcap, wrpcap  # noqa: E402 (python3-scapy)

    pkts = rdpcap(os.path.join(HERE, "normal.pcap"))

    def payload(p):
        return bytes(p[TCP].payload) if TCP in p else b""

    def rebuild(p, t):
        p = Ether(bytes(p))
        p.time = t
        return p

    def first_with(type_id, cot):
        for n, p in enumerate(pkts):
            d = payload(p)
            if len(d) > 8 and d[0] == 0x68 and d[2] & 1 == 0 and d[6] == type_id and d[8] & 0x3F == cot:
                return n
        raise RuntimeError(f"normal.pcap has no type {type_id} cot {cot}")

    # midstream: from the first M_SP_NA_1 (interrogation answer) on, 3 bytes into it.
    n = first_with(1, 20)
    mid = [p.copy() for p in pkts[n:]]
    first = mid[0]
    data = payload(first)
    first[TCP].remove_payload()
    first[TCP].seq += 3
    first = first / Raw(data[3:])
    del first[IP].len, first[IP].chksum, first[TCP].chksum
    mid[0] = rebuild(first, pkts[n].time)
    wrpcap(os.path.join(HERE, "midstream.pcap"), mid)

    # gap: without the M_ME_NC_1 answer.
    n = first_with(13, 20)
    wrpcap(os.path.join(HERE, "gap.pcap"), [p for i, p in enumerate(pkts) if i != n])

    # port2405: the station on another port.
    moved = []
    for p in pkts:
        q = p.copy()
        if q[TCP].sport == PORT:
            q[TCP].sport = 2405
        if q[TCP].dport == PORT:
            q[TCP].dport = 2405
        del q[IP].chksum, q[TCP].chksum
        moved.append(rebuild(q, p.time))
    wrpcap(os.path.join(HERE, "port2405.pcap"), moved)

    craft_malformed(IP, TCP, Ether, Raw, wrpcap)


class Conn:
    """A crafted TCP connection with sequence numbers kept and fixed timestamps."""

    def __init__(self, out, t, client_port, scapy, client="127.0.0.50", port=PORT):
        self.IP, self.TCP, self.Ether, self.Raw = scapy
        self.out, self.t, self.port = out, t, port
        self.c, self.s, self.cp = client, STATION, client_port
        self.cseq, self.sseq = 1000, 9000
        self.vs = {"c": 0, "s": 0}
        self.pkt(self.c, self.s, self.cp, port, "S", self.cseq - 1, 0, b"")
        self.pkt(self.s, self.c, port, self.cp, "SA", self.sseq - 1, self.cseq, b"")
        self.pkt(self.c, self.s, self.cp, port, "A", self.cseq, self.sseq, b"")

    def pkt(self, src, dst, sport, dport, flags, seq, ack, data):
        p = self.Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / self.IP(src=src, dst=dst) / \
            self.TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=65535)
        if data:
            p = p / self.Raw(data)
        p = self.Ether(bytes(p))
        self.t += 0.001
        p.time = self.t
        self.out.append(p)

    def client(self, data):
        self.pkt(self.c, self.s, self.cp, self.port, "PA", self.cseq, self.sseq, data)
        self.cseq += len(data)

    def station(self, data):
        self.pkt(self.s, self.c, self.port, self.cp, "PA", self.sseq, self.cseq, data)
        self.sseq += len(data)

    def i(self, side, a, ns=None, nr=None):
        other = "s" if side == "c" else "c"
        ns = self.vs[side] if ns is None else ns
        nr = self.vs[other] if nr is None else nr
        self.vs[side] = ns + 1
        (self.client if side == "c" else self.station)(i_frame(ns, nr, a))

    def start(self):
        self.client(u_frame(STARTDT_ACT))
        self.station(u_frame(STARTDT_CON))

    def close(self):
        self.pkt(self.c, self.s, self.cp, self.port, "FA", self.cseq, self.sseq, b"")
        self.pkt(self.s, self.c, self.port, self.cp, "FA", self.sseq, self.cseq + 1, b"")
        self.pkt(self.c, self.s, self.cp, self.port, "A", self.cseq + 1, self.sseq + 1, b"")


def craft_malformed(IP, TCP, Ether, Raw, wrpcap):
    scapy = (IP, TCP, Ether, Raw)
    out = []
    sp = asdu(1, 3, [(1001, b"\x01")])  # a good M_SP_NA_1, spontaneous
    # 41001: framing faults. An APDU length of 2 (cannot be framed: resync), then an unknown
    # U-format function, then a good TESTFR.
    c = Conn(out, 1700000000.0, 41001, scapy)
    c.start()
    c.client(bytes([0x68, 0x02, 0x00, 0x00]))
    c.client(u_frame(0x0F))  # STARTDT act and con bits at once: skipped while resynchronising
    c.client(u_frame(TESTFR_ACT))
    c.station(u_frame(TESTFR_CON))
    c.client(u_frame(0x0F))  # now in sync: an unknown U-format function
    c.close()
    # 41002: bad ASDUs from the station, each still an event.
    c = Conn(out, 1700000001.0, 41002, scapy)
    c.start()
    c.i("s", bytes([22, 1, 3, 0, 1, 0, 0xE9, 0x03, 0x00, 0x01]))  # type id 22: reserved
    c.i("s", asdu(1, 6, [(1001, b"\x01")]))                       # COT 6 for single points
    c.i("s", bytes([1, 2, 3, 0, 1, 0, 0xE9, 0x03, 0x00, 0x01]))   # 2 objects announced, 1 sent
    c.i("s", sp + b"\xEE")                                        # a trailing byte
    c.close()
    # 41003: sequence numbers: the station skips N(S) 2-4, then repeats one; the client
    # acknowledges an APDU never sent.
    c = Conn(out, 1700000002.0, 41003, scapy)
    c.start()
    c.i("s", sp)
    c.i("s", sp)
    c.i("s", sp, ns=5)
    c.i("s", sp, ns=5)
    c.vs["s"] = 6
    c.client(s_frame(9))
    c.close()
    # 41004: I-format APDUs before STARTDT (a client that skips the start), and a command the
    # station confirms twice.
    c = Conn(out, 1700000003.0, 41004, scapy)
    c.i("c", asdu(45, 6, [(3001, b"\x01")]))
    c.i("s", asdu(45, 7, [(3001, b"\x01")]))
    c.i("s", asdu(45, 7, [(3001, b"\x01")]))
    c.close()
    # 41005: the flow ends inside an APDU (its length announced 20 bytes, 8 came).
    c = Conn(out, 1700000004.0, 41005, scapy)
    c.start()
    c.station(bytes([0x68, 0x14, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x01]))
    wrpcap(os.path.join(HERE, "malformed.pcap"), out)


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what not in ("all", "peers", "variants"):
        sys.exit(f"usage: {sys.argv[0]} [all|peers|variants]")
    if what in ("all", "peers"):
        if os.geteuid() != 0:
            sys.exit("error: peers needs root (tcpdump on lo)")
        peers()
    if what in ("all", "variants"):
        variants()
        for name in ("midstream.pcap", "gap.pcap", "port2405.pcap", "malformed.pcap"):
            print(f"{name}: written")


if __name__ == "__main__":
    main()
