#!/usr/bin/python3
"""Real peers over loopback that perform the attacks captured in pcaps/attacks/.

Run with Debian's /usr/bin/python3 (python3-pymodbus 3.0, python3-scapy for the DNP3 CRC
helpers). make_captures.sh starts the servers, tcpdump and the clients; by hand:

    attack_peers.py modbus-server --port 502             # pymodbus server of pcaps/modbus/
    attack_peers.py modbus-client --scenario unexpected_writer|force_listen_only|recon_scan
    attack_peers.py dnp3-outstation --port 20000         # small DNP3 outstation (TCP)
    attack_peers.py dnp3-master --scenario restarts

Every request and value is fixed (no randomness: "seeded" by construction), so two runs differ
only in timestamps, ephemeral client ports and TCP sequence numbers. Every client checks each
answer and exits non-zero when a peer did not answer as planned, so a capture never silently
misses an exchange. Only 127.0.0.0/8 addresses are accepted.
"""

import argparse
import importlib.util
import logging
import os
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True  # loading the sibling scripts must not leave __pycache__ in pcaps/
HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.dirname(HERE)


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---- Modbus: pymodbus server and clients (pcaps/modbus/modbus_peers.py) -------------------------

def modbus():
    """modbus_peers.py installs the pyserial stand-ins pymodbus 3.0 needs at import time."""
    return load("modbus_peers", os.path.join(PCAPS, "modbus", "modbus_peers.py"))


def scenario_unexpected_writer(host, port):
    """127.0.0.2 (HMI/engineering host) polls and writes one setpoint; 127.0.0.5 writes.

    127.0.0.2: fc 3 HR 0/10 + fc 1 coils 0/16 twice, fc 6 HR 3 = 120 (a legitimate write),
               twice more the poll
    127.0.0.5: fc 6 HR 2 = 9999, fc 16 HR 10-13, fc 5 coil 0 ON, fc 15 coils 0-7 OFF,
               fc 22 mask write HR 20, fc 23 read HR 0/2 + write HR 30-31
    """
    mp = modbus()
    check = mp.check
    from pymodbus.register_read_message import ReadWriteMultipleRegistersRequest

    hmi = mp.client(host, port, "127.0.0.2")

    def poll():
        check(hmi.read_holding_registers(0, 10, slave=1), "hmi fc3")
        check(hmi.read_coils(0, 16, slave=1), "hmi fc1")

    poll()
    poll()
    check(hmi.write_register(3, 120, slave=1), "hmi fc6")
    rogue = mp.client(host, port, "127.0.0.5")
    check(rogue.write_register(2, 9999, slave=1), "rogue fc6")
    check(rogue.write_registers(10, [0, 0, 65535, 65535], slave=1), "rogue fc16")
    check(rogue.write_coil(0, True, slave=1), "rogue fc5")
    check(rogue.write_coils(0, [False] * 8, slave=1), "rogue fc15")
    check(rogue.mask_write_register(address=20, and_mask=0x0000, or_mask=0xFFFF, unit=1), "rogue fc22")
    check(rogue.execute(ReadWriteMultipleRegistersRequest(read_address=0, read_count=2, write_address=30,
                                                          write_registers=[1, 2], unit=1)), "rogue fc23")
    rogue.close()
    poll()
    poll()
    hmi.close()


def scenario_force_listen_only(host, port):
    """127.0.0.5 identifies the device, then runs the dangerous diagnostics.

    fc 43/14 read device id (basic), fc 17 report server id, fc 8/0 return query data,
    fc 8/1 restart communications option, fc 8/10 clear counters, fc 8/4 force listen only
    (no answer: the client times out), then fc 3 HR 0/2 on a new connection.
    """
    mp = modbus()
    check = mp.check
    from pymodbus.diag_message import (ClearCountersRequest, RestartCommunicationsOptionRequest,
                                       ReturnQueryDataRequest)
    from pymodbus.mei_message import ReadDeviceInformationRequest
    from pymodbus.other_message import ReportSlaveIdRequest

    c = mp.client(host, port, "127.0.0.5")
    check(c.execute(ReadDeviceInformationRequest(read_code=0x01, object_id=0x00, unit=1)), "fc43/14")
    check(c.execute(ReportSlaveIdRequest(unit=1)), "fc17")
    check(c.execute(ReturnQueryDataRequest(0x0BAD, unit=1)), "fc8/0")
    check(c.execute(RestartCommunicationsOptionRequest(toggle=False, unit=1)), "fc8/1")
    check(c.execute(ClearCountersRequest(unit=1)), "fc8/10")
    mp.listen_only(c, 1)
    c.close()
    c = mp.client(host, port, "127.0.0.5")
    check(c.read_holding_registers(0, 2, slave=1), "fc3 after listen-only")
    c.close()


def scenario_recon_scan(host, port):
    """127.0.0.7 identifies the device and probes the register map past its end.

    fc 43/14 read device id, then fc 3 reads of 1 register at 100, 200, ..., 1200: all twelve
    answered with exception 2 (the datastore has 100 registers), then one good read.
    """
    mp = modbus()
    check = mp.check
    from pymodbus.mei_message import ReadDeviceInformationRequest

    c = mp.client(host, port, "127.0.0.7")
    check(c.execute(ReadDeviceInformationRequest(read_code=0x01, object_id=0x00, unit=1)), "fc43/14")
    for i in range(1, 13):
        check(c.read_holding_registers(100 * i, 1, slave=1), f"fc3 at {100 * i}", 2)
    check(c.read_holding_registers(0, 1, slave=1), "fc3 at 0")
    c.close()


MODBUS_SCENARIOS = {
    "unexpected_writer": scenario_unexpected_writer,
    "force_listen_only": scenario_force_listen_only,
    "recon_scan": scenario_recon_scan,
}


# ---- DNP3: a small outstation and master over real TCP sockets -------------------------------------
# Link frames, CRCs and transport segments come from pcaps/dnp3/make_captures.py (IEEE 1815-2012).

MASTER, OUTSTATION = 1, 10


def dnp3():
    return load("dnp3_make_captures", os.path.join(PCAPS, "dnp3", "make_captures.py"))


def recv_exact(sock, n):
    out = b""
    while len(out) < n:
        part = sock.recv(n - len(out))
        if not part:
            raise EOFError("peer closed the connection")
        out += part
    return out


def read_link_frame(sock, d):
    """One link frame; returns (control, dst, src, user data without CRCs). Checks every CRC."""
    hdr = recv_exact(sock, 10)
    if hdr[:2] != b"\x05\x64" or d.crc(hdr[:8]) != hdr[8:10]:
        raise ValueError(f"bad link header {hdr.hex()}")
    length = hdr[2]
    ctl = hdr[3]
    dst, src = struct.unpack("<HH", hdr[4:8])
    user_len = length - 5
    user = b""
    while len(user) < user_len:
        n = min(16, user_len - len(user))
        block = recv_exact(sock, n + 2)
        if d.crc(block[:n]) != block[n:]:
            raise ValueError("bad data block CRC")
        user += block[:n]
    return ctl, dst, src, user


def send_frames(sock, frames):
    for f in frames:
        sock.sendall(f)


def outstation_answer(app):
    """The response fragment to a request fragment (application control, function, objects)."""
    seq = app[0] & 0x0F
    fc = app[1]
    ac = 0xC0 | seq
    iin = b"\x00\x00"
    if fc == 0x01:    # read: class 0 -> g1v2 binary inputs 0-3 and g30v1 analogs 0-1
        return (bytes([ac, 0x81]) + iin + bytes([0x01, 0x02, 0x00, 0x00, 0x03, 0x81, 0x01, 0x81, 0x01])
                + bytes([0x1E, 0x01, 0x00, 0x00, 0x01, 0x01]) + struct.pack("<i", 1500)
                + bytes([0x01]) + struct.pack("<i", 1510))
    if fc in (0x0D, 0x0E):    # cold / warm restart: g52v2 time delay fine (ms)
        delay = 5000 if fc == 0x0D else 1000
        return bytes([ac, 0x81]) + iin + bytes([0x34, 0x02, 0x07, 0x01]) + struct.pack("<H", delay)
    if fc in (0x03, 0x04):    # select / operate: echo the objects, status 0 (success)
        return bytes([ac, 0x81]) + iin + app[2:]
    return bytes([ac, 0x81]) + iin    # stop application, disable unsolicited: null response


def run_outstation(host, port):
    d = dnp3()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(4)
    print(f"listening {host}:{port}", flush=True)
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        tseq = 0
        try:
            while True:
                ctl, _dst, src, user = read_link_frame(conn, d)
                if ctl & 0x0F == 0x09:    # request link status -> link status
                    send_frames(conn, [d.link_frame(0x0B, src, OUTSTATION)])
                    continue
                app = user[1:]    # one transport segment per fragment here (FIR+FIN)
                frames, tseq = d.segments(0x44, src, OUTSTATION, outstation_answer(app), tseq)
                send_frames(conn, frames)
        except EOFError:
            conn.close()


class Master:
    def __init__(self, host, port, source):
        self.d = dnp3()
        self.sock = socket.create_connection((host, port), timeout=2, source_address=(source, 0))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tseq = 0
        self.aseq = 0

    def link_status(self):
        send_frames(self.sock, [self.d.link_frame(0xC9, OUTSTATION, MASTER)])
        ctl, _, _, _ = read_link_frame(self.sock, self.d)
        if ctl & 0x0F != 0x0B:
            sys.exit(f"link status: unexpected control {ctl:#x}")

    def request(self, fc, objects=b"", expect_objects=None):
        app = bytes([0xC0 | self.aseq, fc]) + objects
        frames, self.tseq = self.d.segments(0xC4, OUTSTATION, MASTER, app, self.tseq)
        send_frames(self.sock, frames)
        _, _, _, user = read_link_frame(self.sock, self.d)
        rsp = user[1:]
        if rsp[0] & 0x0F != self.aseq or rsp[1] != 0x81:
            sys.exit(f"fc {fc}: unexpected response {rsp.hex()}")
        if expect_objects is not None and rsp[4:] != expect_objects:
            sys.exit(f"fc {fc}: unexpected objects {rsp[4:].hex()}")
        self.aseq = (self.aseq + 1) & 0x0F
        time.sleep(0.05)

    def close(self):
        self.sock.close()
        time.sleep(0.1)


# CROB g12v1 index 3 (qualifier 0x17, one index octet): latch on, count 1, on 500 ms, off 0.
CROB = bytes([0x0C, 0x01, 0x17, 0x01, 0x03, 0x03, 0x01]) + struct.pack("<II", 500, 0) + b"\x00"


def scenario_restarts(host, port):
    """127.0.0.5, three connections to the outstation 127.0.0.1:20000 (link addresses 1 -> 10).

    1: link status, integrity poll (read class 0), cold restart (fc 13, answer g52v2 5000 ms),
       warm restart (fc 14, 1000 ms), stop application (fc 18, g90v1 "pump1"),
       disable unsolicited (fc 21, classes 1-3)
    2: select then operate of CROB index 3 (select-before-operate, as it should be)
    3: operate of the same CROB with no select before it
    """
    m = Master(host, port, "127.0.0.5")
    m.link_status()
    m.request(0x01, bytes([0x3C, 0x01, 0x06]))
    m.request(0x0D, expect_objects=bytes([0x34, 0x02, 0x07, 0x01]) + struct.pack("<H", 5000))
    m.request(0x0E, expect_objects=bytes([0x34, 0x02, 0x07, 0x01]) + struct.pack("<H", 1000))
    m.request(0x12, bytes([0x5A, 0x01, 0x5B, 0x01, 0x05, 0x00]) + b"pump1", expect_objects=b"")
    m.request(0x15, bytes([0x3C, 0x02, 0x06, 0x3C, 0x03, 0x06, 0x3C, 0x04, 0x06]), expect_objects=b"")
    m.close()
    m = Master(host, port, "127.0.0.5")
    m.request(0x03, CROB, expect_objects=CROB)
    m.request(0x04, CROB, expect_objects=CROB)
    m.close()
    m = Master(host, port, "127.0.0.5")
    m.request(0x04, CROB, expect_objects=CROB)
    m.close()


def main():
    logging.basicConfig(level=logging.CRITICAL)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, port in (("modbus-server", 502), ("dnp3-outstation", 20000)):
        s = sub.add_parser(name)
        s.add_argument("--host", default="127.0.0.1")
        s.add_argument("--port", type=int, default=port)
    for name, port, choices in (("modbus-client", 502, sorted(MODBUS_SCENARIOS)),
                                ("dnp3-master", 20000, ["restarts"])):
        c = sub.add_parser(name)
        c.add_argument("--scenario", choices=choices, required=True)
        c.add_argument("--host", default="127.0.0.1")
        c.add_argument("--port", type=int, default=port)
    a = ap.parse_args()
    if not a.host.startswith("127."):
        sys.exit(f"{a.host}: only loopback addresses are allowed")
    if a.cmd == "modbus-server":
        modbus().run_server(a.host, a.port)
    elif a.cmd == "modbus-client":
        MODBUS_SCENARIOS[a.scenario](a.host, a.port)
    elif a.cmd == "dnp3-outstation":
        run_outstation(a.host, a.port)
    else:
        scenario_restarts(a.host, a.port)


if __name__ == "__main__":
    main()
