#!/usr/bin/python3
"""Crafts the S7comm / S7comm-plus captures in pcaps/s7comm/ (README.md there says what each holds).

    /usr/bin/python3 pcaps/s7comm/make_captures.py      # all seven; python3-scapy, no root, no network

  normal.pcap            an HMI (127.0.0.20) and an S7-300 (127.0.0.2:102, rack 0 slot 2): COTP
                         connect, setup communication (PDU 480), read var DB1.DBW0 + DB1.DBD4 +
                         M10.0, write var DB1.DBW2 + M10.1, read SZL 0x0011 (module identification)
                         and 0x001C (component identification), COTP DR
  nonstandard_port.pcap  the same conversation with the PLC on TCP port 1102
  plc_stop.pcap          127.0.0.66 connects, sets up communication and stops the CPU (function 0x29,
                         PI service P_PROGRAM); the CPU pushes its "STOP by PG" diagnostic message
  download.pcap          127.0.0.66 downloads OB 1: request download (_0800001P), two download
                         blocks and download ended (the PLC asks for them), PLC control _INSE
  malformed.pcap         127.0.0.50, one connection per kind of bad traffic (pcaps/s7comm/README.md)
  s7commplus.pcap        an HMI (127.0.0.21) and an S7-1500 (127.0.0.4:102): V1 CreateObject, then
                         V3 SetMultiVariables, GetMultiVariables, DeleteObject with integrity digests
  mms_on_102.pcap        a COTP connection on TCP 102 carrying ISO session / presentation / ACSE /
                         MMS (initiate and identify): neither S7 dissector may claim it

No S7 peer is packaged for Debian, so the bytes are built here: TPKT from RFC 1006, COTP class 0
from ISO 8073 / X.224 (CR/CC with TSAPs 0x0100 and 0x0102 = connection type 1 PG, rack 0, slot 2;
TPDU size 1024; DT with EOT), S7comm and S7comm-plus in the layouts of the public Wireshark
dissector documentation (field names in the comments are Wireshark's), the block and SZL layouts
as seen in the shared captures ../shared/pcaps/s7comm/ (iti-s7_tia_s300_downloadOb1,
icsnpp-s7comm_s7ident), MMS from ISO 8327-1, ISO 8823-1, ISO 8650-1 and ISO 9506-2 in BER.
The TCP handshake, sequence and acknowledgement numbers are real; one TPKT frame per segment;
timestamps are whole microseconds from a fixed start, so every run writes the same bytes.
Check: `tshark -r FILE -Y s7comm -V` decodes every S7 PDU without expert errors, except the
deliberate ones in malformed.pcap.
"""
import os
import struct
from decimal import Decimal

from scapy.all import IP, TCP, Ether, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
T0_US = 1_717_200_000_000_000  # 2024-06-01T00:00:00Z
STEP_US = 2000

HMI, PLC = "127.0.0.20", "127.0.0.2"
ENGINEERING = "127.0.0.66"  # the host that stops the CPU and downloads a block
FUZZER = "127.0.0.50"
HMI_1500, PLC_1500 = "127.0.0.21", "127.0.0.4"
MMS_CLIENT, IED = "127.0.0.30", "127.0.0.5"


# ------------------------------------------------------------------- TPKT and COTP
def tpkt(tpdu, length=None):
    """RFC 1006 §6: version 3, reserved 0, length of the whole frame."""
    return struct.pack(">BBH", 3, 0, length if length is not None else 4 + len(tpdu)) + tpdu


def tsap(v):
    return struct.pack(">H", v) if isinstance(v, int) else v


def connect_tpdu(code, dst_ref, src_ref, calling, called):
    """CR (0xE0) / CC (0xD0), class 0: parameters TPDU size 1024 (0xC0 = 0x0A), calling TSAP
    (0xC1) and called TSAP (0xC2). A CC repeats the TSAPs with the same meaning (ISO 8073
    §13.4), which is what real S7 PLCs send."""
    calling, called = tsap(calling), tsap(called)
    var = (bytes([0xC0, 1, 0x0A]) + bytes([0xC1, len(calling)]) + calling
           + bytes([0xC2, len(called)]) + called)
    body = bytes([code]) + struct.pack(">HHB", dst_ref, src_ref, 0x00) + var
    return tpkt(bytes([len(body)]) + body)


def cr(calling=0x0100, called=0x0102):
    return connect_tpdu(0xE0, 0x0000, 0x0001, calling, called)


def cc(calling=0x0100, called=0x0102):
    return connect_tpdu(0xD0, 0x0001, 0x0001, calling, called)


def dt(user, eot=True):
    """DT: LI 2, code 0xF0, TPDU-NR 0 with the EOT bit."""
    return tpkt(bytes([0x02, 0xF0, 0x80 if eot else 0x00]) + user)


def dr(reason=0x80):
    """DR: destination and source reference, reason 128 (normal disconnect by the session entity)."""
    return tpkt(bytes([0x06, 0x80]) + struct.pack(">HHB", 0x0001, 0x0001, reason))


def er(cause):
    """ER: destination reference and reject cause, no parameters (the optional "invalid TPDU"
    parameter, 0xC1, is left out: tshark 4.0 does not decode an ER that carries it)."""
    body = bytes([0x70]) + struct.pack(">HB", 0x0001, cause)
    return tpkt(bytes([len(body)]) + body)


# ------------------------------------------------------------------------- S7comm
def s7(rosctr, ref, param, data=b"", error=None, param_len=None, data_len=None, proto=0x32):
    """Header: protocol id 0x32, ROSCTR, redundancy id 0, PDU reference, parameter length, data
    length, and for ack / ack-data the error class and code."""
    head = struct.pack(">BBHHHH", proto, rosctr, 0, ref,
                       len(param) if param_len is None else param_len,
                       len(data) if data_len is None else data_len)
    if rosctr in (2, 3):
        head += bytes(error or (0, 0))
    return head + param + data


def job(ref, param, data=b"", **kw):
    return s7(1, ref, param, data, **kw)


def ack_data(ref, param, data=b"", **kw):
    return s7(3, ref, param, data, **kw)


def setup_param(pdu=480):
    """0xF0 setup communication: reserved, max AmQ calling 1, max AmQ called 1, PDU length."""
    return b"\xF0\x00" + struct.pack(">HHH", 1, 1, pdu)


# Item transport sizes (request) and data transport sizes (response).
BIT, BYTE, WORD, DWORD = 0x01, 0x02, 0x04, 0x06
D_BIT, D_BYTE_WORD_DWORD = 0x03, 0x04
AREA_M, AREA_DB = 0x83, 0x84


def s7any(tsize, count, db, area, byte, bit=0):
    """Variable specification 0x12, length 10, syntax id 0x10 S7ANY; the address is the bit
    address byte * 8 + bit in 24 bits."""
    return (b"\x12\x0A\x10" + struct.pack(">BHHB", tsize, count, db, area)
            + (byte * 8 + bit).to_bytes(3, "big"))


def data_items(items):
    """(return code, transport size, data); the length is in bits for transport sizes 3/4/5;
    a fill octet follows odd-length data except after the last item."""
    out = b""
    for n, (rc, ts, value) in enumerate(items):
        length = len(value) * 8 if ts == D_BYTE_WORD_DWORD else (1 if ts == D_BIT else len(value))
        out += struct.pack(">BBH", rc, ts, length) + value
        if len(value) % 2 and n + 1 != len(items):
            out += b"\x00"
    return out


def read_job(ref, specs, count=None):
    return job(ref, bytes([0x04, len(specs) if count is None else count]) + b"".join(specs))


def read_ack(ref, items, count=None):
    return ack_data(ref, bytes([0x04, len(items) if count is None else count]), data_items(items))


def userdata(ref, param, data):
    return s7(7, ref, param, data)


def szl_request(ref, szl_id, index):
    """Userdata request: head 00 01 12, parameter length 4, method 0x11, type 4 (request) | group
    4 (CPU functions), subfunction 1 (read SZL), sequence 0; data: return code 0xFF, transport
    size 0x09 (octet string), length 4, SZL id, index."""
    return userdata(ref, b"\x00\x01\x12\x04\x11\x44\x01\x00",
                    b"\xFF\x09" + struct.pack(">HHH", 4, szl_id, index))


def szl_response(ref, szl_id, index, record_len, records):
    """Userdata response: parameter length 8, method 0x12, type 8 (response) | group 4,
    subfunction 1, sequence 0, data unit reference 0, last data unit 0 (yes), error code 0;
    data: 0xFF, 0x09, length, SZL id, index, record length, record count, records."""
    body = struct.pack(">HHHH", szl_id, index, record_len, len(records)) + b"".join(records)
    return userdata(ref, b"\x00\x01\x12\x08\x12\x84\x01\x00\x00\x00\x00\x00",
                    b"\xFF\x09" + struct.pack(">H", len(body)) + body)


def szl11(index, mlfb, bgtyp, ausbg, ausbe):
    """SZL 0x0011 record (28 octets): index, MlfB (order number, 20 characters), BGTyp, Ausbg,
    Ausbe (hardware version; for index 7 'V' and the firmware version)."""
    return struct.pack(">H", index) + mlfb.encode().ljust(20, b" ") + struct.pack(">HHH", bgtyp, ausbg, ausbe)


def szl1c(index, text=b""):
    """SZL 0x001C record (34 octets): index and 32 octets (text padded with NUL)."""
    return struct.pack(">H", index) + (text.encode() if isinstance(text, str) else text).ljust(32, b"\0")


# The CPU: an S7-300 CPU 315-2 PN/DP, firmware V3.2.6.
ORDER_NUMBER = "6ES7 315-2EH14-0AB0"
SZL_0011 = [
    szl11(0x0001, ORDER_NUMBER, 0x00C0, 0x0004, 0x0001),  # module: hardware version 1
    szl11(0x0006, ORDER_NUMBER, 0x00C0, 0x0004, 0x0001),  # basic hardware
    szl11(0x0007, "", 0x00C0, 0x5603, 0x0206),             # basic firmware: 'V' 3.2.6
    szl11(0x0081, "Boot Loader", 0x0000, 0x4120, 0x0909),  # boot loader A 32.9.9
]
SZL_001C = [
    szl1c(0x0001, "OTS-LAB-PUMPS"),                # name of the automation system (station)
    szl1c(0x0002, "PLC_PUMPS_1"),                  # name of the module
    szl1c(0x0003, "PUMP HALL 2"),                  # plant designation
    szl1c(0x0004, "Original Siemens Equipment"),   # copyright
    szl1c(0x0005, "S C-H4N812342013"),             # serial number of the module
    szl1c(0x0007, "CPU 315-2 PN/DP"),              # module type name
    szl1c(0x0008, "MMC 4A7F2C19"),                 # serial number of the memory card
    szl1c(0x0009, struct.pack(">HHH", 0x002A, 0xF600, 0x0001)),  # manufacturer 42, profile
    szl1c(0x000A),                                 # OEM id: none
    szl1c(0x000B, "Cabinet +A1 rail 2"),           # location designation
]


def plc_stop_job(ref):
    """0x29 PLC stop: 5 unknown octets, length part 2, PI service "P_PROGRAM"."""
    return job(ref, b"\x29" + bytes(5) + bytes([9]) + b"P_PROGRAM")


def pi_job(ref, service, block=b""):
    """0x28 PLC control (PI service): 7 unknown octets 00..00 FD, parameter block length and
    block, string length, service name."""
    return job(ref, b"\x28" + bytes(6) + b"\xFD" + struct.pack(">H", len(block)) + block
               + bytes([len(service)]) + service)


def block_control(function, status, unknown, filename, part2=b""):
    """0x1A/0x1B/0x1C: function status, 2 unknown octets, 4 octets (session id), file name
    length and name, and for request download "length part 2" and its text."""
    p = bytes([function, status]) + unknown + bytes(4) + bytes([len(filename)]) + filename
    if part2:
        p += bytes([len(part2)]) + part2
    return p


# --------------------------------------------------------------- OB 1 block image
def ob1_image():
    """An OB 1 image in the layout real downloads show (iti-s7_tia_s300_downloadOb1): a 36-octet
    header (0x70 0x70, version, attribute, language 1 STL, block type 0x08 OB, number 1, load
    memory length, security, code and interface time stamps, SBB/ADD/local data/MC7 lengths),
    the MC7 code, the SBB (interface) and a 36-octet footer (author, family, name, version,
    checksum). Code and interface are filler octets: this is not a runnable block."""
    mc7 = bytes(range(0x10, 0x10 + 38)) + b"\x65\x00"
    sbb = bytes([0x01, 0x00]) + bytes(26)
    footer = b"OTS\0\0\0\0\0" + bytes(8) + b"MAIN\0\0\0\0" + b"\x01\x00" + b"\x00\x00" + bytes(8)
    load_len = 36 + len(mc7) + len(sbb) + len(footer)
    header = (b"\x70\x70\x01\x01\x01\x08" + struct.pack(">H", 1) + struct.pack(">I", load_len)
              + bytes(4) + bytes.fromhex("04d1d4e02dce") + bytes.fromhex("03a1638321a7")
              + struct.pack(">HHHH", len(sbb), 0, 20, len(mc7)))
    image = header + mc7 + sbb + footer
    assert len(header) == 36 and len(footer) == 36 and len(image) == load_len
    return image, len(mc7)


# ------------------------------------------------------------------ S7comm-plus
def s7p(version, opcode, function, seq, body, session=None, flags=0x36, integrity=None):
    """S7comm-plus PDU: 0x72, version, data length; [V3: digest length 0x20 + 32 octets]; opcode,
    reserved, function, reserved, sequence, [request: session id], transport flags, objects;
    trailer 0x72, version, 0x0000."""
    data = b""
    if integrity is not None:
        data += bytes([len(integrity)]) + integrity
    data += bytes([opcode]) + struct.pack(">HHHH", 0, function, 0, seq)
    if session is not None:
        data += struct.pack(">I", session)
    data += bytes([flags]) + body
    trailer = b"\x72" + bytes([version]) + b"\x00\x00"
    return b"\x72" + bytes([version]) + struct.pack(">H", len(data)) + data + trailer


def digest(n):
    """Stand-in for the 32-octet integrity digest (real peers compute it with a session key that
    this capture does not model): fixed octets, different per PDU."""
    return bytes((n * 37 + i * 11) & 0xFF for i in range(32))


# ----------------------------------------------------------------------- ISO/MMS
def ber(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82]) + struct.pack(">H", n)
    return bytes([tag]) + length + content


def spdu(si, params):
    return bytes([si, len(params)]) + params


def mms_connect():
    """Session CONNECT (SI 13) + presentation CP-type + ACSE AARQ + MMS initiate-RequestPDU."""
    services = bytes.fromhex("03ee1c00000408000079ef18")  # servicesSupportedCalling (BIT STRING)
    init = ber(0xA8, ber(0x80, b"\x00\xfd\xe8") + ber(0x81, b"\x0a") + ber(0x82, b"\x0a") + ber(0x83, b"\x05")
               + ber(0xA4, ber(0x80, b"\x01") + ber(0x81, b"\x05\xf1\x00") + ber(0x82, services)))
    aarq = ber(0x60, ber(0x80, b"\x07\x80") + ber(0xA1, ber(0x06, b"\x28\xca\x22\x02\x03"))
               + ber(0xBE, ber(0x28, ber(0x02, b"\x03") + ber(0xA0, init))))
    ber_syntax = ber(0x30, ber(0x06, b"\x51\x01"))  # transfer syntax 2.1.1 (basic encoding)
    contexts = (ber(0x30, ber(0x02, b"\x01") + ber(0x06, b"\x52\x01\x00\x01") + ber_syntax)        # 1: ACSE
                + ber(0x30, ber(0x02, b"\x03") + ber(0x06, b"\x28\xca\x22\x02\x01") + ber_syntax))  # 3: MMS
    cp = ber(0x31, ber(0xA0, ber(0x80, b"\x01"))
             + ber(0xA2, ber(0x81, b"\x00\x00\x00\x01") + ber(0x82, b"\x00\x00\x00\x01") + ber(0xA4, contexts)
                   + ber(0x88, b"\x06\x00")
                   + ber(0x61, ber(0x30, ber(0x02, b"\x01") + ber(0xA0, aarq)))))
    params = (bytes([0x05, 6, 0x13, 1, 0x00, 0x16, 1, 0x02]) + bytes([0x14, 2, 0x00, 0x02])
              + bytes([0x33, 2, 0x00, 0x01]) + bytes([0x34, 2, 0x00, 0x01]) + bytes([0xC1, len(cp)]) + cp)
    return spdu(0x0D, params)


def mms_accept():
    """Session ACCEPT (SI 14) + CPA-PPDU + ACSE AARE + MMS initiate-ResponsePDU."""
    services = bytes.fromhex("03ee1c00000408000079ef18")
    init = ber(0xA9, ber(0x80, b"\x00\xfd\xe8") + ber(0x81, b"\x0a") + ber(0x82, b"\x0a") + ber(0x83, b"\x05")
               + ber(0xA4, ber(0x80, b"\x01") + ber(0x81, b"\x05\xf1\x00") + ber(0x82, services)))
    aare = ber(0x61, ber(0x80, b"\x07\x80") + ber(0xA1, ber(0x06, b"\x28\xca\x22\x02\x03"))
               + ber(0xA2, ber(0x02, b"\x00")) + ber(0xA3, ber(0xA1, ber(0x02, b"\x00")))
               + ber(0xBE, ber(0x28, ber(0x02, b"\x03") + ber(0xA0, init))))
    results = ber(0x30, ber(0x80, b"\x00") + ber(0x81, b"\x51\x01")) * 2
    cpa = ber(0x31, ber(0xA0, ber(0x80, b"\x01"))
              + ber(0xA2, ber(0x83, b"\x00\x00\x00\x01") + ber(0xA5, results)
                    + ber(0x61, ber(0x30, ber(0x02, b"\x01") + ber(0xA0, aare)))))
    params = (bytes([0x05, 6, 0x13, 1, 0x00, 0x16, 1, 0x02]) + bytes([0x14, 2, 0x00, 0x02])
              + bytes([0xC1, len(cpa)]) + cpa)
    return spdu(0x0E, params)


def mms_data(mms):
    """Session GIVE TOKENS + DATA TRANSFER (01 00 01 00), presentation fully-encoded-data with
    context 3 (MMS)."""
    return b"\x01\x00\x01\x00" + ber(0x61, ber(0x30, ber(0x02, b"\x03") + ber(0xA0, mms)))


# --------------------------------------------------------------------------- TCP
class Tcp:
    """One TCP connection with a real handshake, sequence and acknowledgement numbers."""

    def __init__(self, out, t_us, client, cport, server, sport):
        self.out, self.t = out, t_us
        self.c, self.s, self.cp, self.sp = client, server, cport, sport
        self.cseq, self.sseq = 100_000, 700_000
        self.send("c", "S", b"")
        self.send("s", "SA", b"")
        self.send("c", "A", b"")

    def send(self, side, flags, data):
        if side == "c":
            src, dst, sport, dport, seq, ack = self.c, self.s, self.cp, self.sp, self.cseq, self.sseq
        else:
            src, dst, sport, dport, seq, ack = self.s, self.c, self.sp, self.cp, self.sseq, self.cseq
        if flags in ("S", "SA"):
            seq -= 1
        if flags == "S":
            ack = 0
        pkt = Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / IP(src=src, dst=dst) / TCP(
            sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=65535)
        if data:
            pkt = pkt / Raw(data)
        pkt = Ether(bytes(pkt))
        self.t += STEP_US
        pkt.time = Decimal(self.t) / Decimal(1_000_000)
        self.out.append(pkt)
        if side == "c":
            self.cseq += len(data)
        else:
            self.sseq += len(data)

    def play(self, script):
        for side, data in script:
            self.send(side, "PA", data)

    def close(self, first="c"):
        other = "s" if first == "c" else "c"
        self.send(first, "FA", b"")
        self._fin(first)
        self.send(other, "FA", b"")
        self._fin(other)
        self.send(first, "A", b"")

    def _fin(self, side):
        if side == "c":
            self.cseq += 1
        else:
            self.sseq += 1


def connection(out, t_us, client, cport, server, sport, script, close_first="c"):
    c = Tcp(out, t_us, client, cport, server, sport)
    c.play(script)
    c.close(close_first)
    return c.t


# ------------------------------------------------------------------ conversations
def opening(ref=1):
    """COTP connect and setup communication: the start of every S7comm connection."""
    return [("c", cr()), ("s", cc()),
            ("c", dt(job(ref, setup_param()))), ("s", dt(ack_data(ref, setup_param())))]


def normal_script():
    s = opening(1)
    # Read var: DB1.DBW0 (WORD 1), DB1.DBD4 (DWORD 1), M10.0 (BIT 1).
    s.append(("c", dt(read_job(2, [s7any(WORD, 1, 1, AREA_DB, 0), s7any(DWORD, 1, 1, AREA_DB, 4),
                                    s7any(BIT, 1, 0, AREA_M, 10, 0)]))))
    s.append(("s", dt(read_ack(2, [(0xFF, D_BYTE_WORD_DWORD, struct.pack(">H", 1234)),
                                   (0xFF, D_BYTE_WORD_DWORD, struct.pack(">f", 123.456)),
                                   (0xFF, D_BIT, b"\x01")]))))
    # Write var: DB1.DBW2 = 500, M10.1 = 1.
    specs = [s7any(WORD, 1, 1, AREA_DB, 2), s7any(BIT, 1, 0, AREA_M, 10, 1)]
    values = data_items([(0x00, D_BYTE_WORD_DWORD, struct.pack(">H", 500)), (0x00, D_BIT, b"\x01")])
    s.append(("c", dt(job(3, bytes([0x05, 2]) + b"".join(specs), values))))
    s.append(("s", dt(ack_data(3, bytes([0x05, 2]), b"\xFF\xFF"))))
    # Read SZL 0x0011 index 0 (all identification records), then 0x001C index 0.
    s.append(("c", dt(szl_request(4, 0x0011, 0x0000))))
    s.append(("s", dt(szl_response(4, 0x0011, 0x0000, 28, SZL_0011))))
    s.append(("c", dt(szl_request(5, 0x001C, 0x0000))))
    s.append(("s", dt(szl_response(5, 0x001C, 0x0000, 34, SZL_001C))))
    s.append(("c", dr()))
    return s


def plc_stop_script():
    s = opening(1)
    s.append(("c", dt(plc_stop_job(2))))
    s.append(("s", dt(ack_data(2, b"\x29"))))
    # The CPU's diagnostic message (push, CPU functions, subfunction 3): event 0x4304 "STOP
    # caused by PG STOP operation", priority class 255, OB 132, then DatID, INFO1, INFO2 and the
    # BCD time stamp 24-06-01 00:00:00.016, weekday 7 (Saturday).
    diag = (struct.pack(">HBBHHI", 0x4304, 0xFF, 0x84, 0x0000, 0x0000, 0x00000000)
            + bytes.fromhex("2406010000000167"))
    s.append(("s", dt(userdata(0, b"\x00\x01\x12\x04\x11\x04\x03\x00",
                               b"\xFF\x09" + struct.pack(">H", len(diag)) + diag))))
    s.append(("c", dr()))
    return s


def download_script():
    image, mc7_len = ob1_image()
    name = b"_0800001P"
    part2 = b"1" + b"%06d" % len(image) + b"%06d" % mc7_len
    blocks = [image[:80], image[80:]]
    s = opening(1)
    # The engineering station asks to download OB 1 ...
    s.append(("c", dt(job(2, block_control(0x1A, 0x00, b"\x01\x00", name, part2)))))
    s.append(("s", dt(ack_data(2, b"\x1A"))))
    # ... the PLC fetches the block in two parts (its own jobs, its own PDU references) ...
    for n, part in enumerate(blocks):
        ref = 0x0100 * (n + 1)
        more = 0x01 if n + 1 < len(blocks) else 0x00
        s.append(("s", dt(job(ref, block_control(0x1B, 0x00, b"\x00\x00", name)))))
        s.append(("c", dt(ack_data(ref, bytes([0x1B, more]), struct.pack(">HH", len(part), 0x00FB) + part))))
    # ... and ends the download ...
    s.append(("s", dt(job(0x0300, block_control(0x1C, 0x00, b"\x00\x00", name)))))
    s.append(("c", dt(ack_data(0x0300, b"\x1C"))))
    # ... then the station activates it: PI _INSE, one block, "0800001P".
    s.append(("c", dt(pi_job(3, b"_INSE", b"\x01\x00" + b"0800001P"))))
    s.append(("s", dt(ack_data(3, b"\x28"))))
    s.append(("c", dr()))
    return s


def malformed_scripts():
    """One connection each: (script, which side closes first)."""
    m10 = s7any(BIT, 1, 0, AREA_M, 10, 0)
    db1w0 = s7any(WORD, 1, 1, AREA_DB, 0)
    good_answer = [(0xFF, D_BYTE_WORD_DWORD, struct.pack(">H", 1234))]
    out = []
    # A. Parameter length 16, two octets beyond the PDU (14 present): bad_length. Answered.
    out.append((opening() + [("c", dt(job(2, bytes([0x04, 1]) + db1w0, param_len=16))),
                             ("s", dt(read_ack(2, good_answer)))], "c"))
    # B. After S7 was seen, user data with protocol id 0x33: bad_header. Not answered.
    out.append((opening() + [("c", dt(s7(1, 2, bytes([0x04, 1]) + db1w0, proto=0x33)))],
                "c"))
    # C. Read var with item count 3 and two items: item_count_mismatch. The PLC drops the
    # connection without answering.
    out.append((opening() + [("c", dt(read_job(2, [db1w0, m10], count=3)))], "s"))
    # D. PI service _GARB (compress memory) answered with ack-data error class 0x84 code 0x04
    # ("The function cannot be performed"): error_response.
    out.append((opening() + [("c", dt(pi_job(2, b"_GARB"))),
                             ("s", dt(ack_data(2, b"\x28", error=(0x84, 0x04))))], "c"))
    # E. An ack-data read var with PDU reference 0x0777 nobody asked for: response_without_request.
    out.append((opening() + [("s", dt(read_ack(0x0777, good_answer)))], "c"))
    # F. An expedited data TPDU (not in class 0) rejected by the PLC with COTP ER, cause 2
    # (invalid TPDU type): cotp_error.
    ed = tpkt(bytes([0x04, 0x10]) + struct.pack(">HB", 0x0001, 0x80) + b"\x00")
    out.append((opening() + [("c", ed), ("s", er(0x02))], "c"))
    # G. A read var job whose TPKT frame says 31 octets, of which 20 are sent before the
    # connection closes: truncated_pdu.
    frame = dt(read_job(2, [db1w0]))
    out.append((opening() + [("c", frame[:20])], "c"))
    return out


def s7commplus_script():
    """V1 CreateObject (session setup, the request to the ObjectServerSessionContainer 0x120,
    the response names the new session 0x388 = VLQ 87 08), then V3 PDUs with integrity digests:
    SetMultiVariables (the HMI writes a value), GetMultiVariables (reads it back), DeleteObject
    (ends the session). The object parts are short and in the shape the Wireshark plugin shows
    (request id, values, 0xA1 start of object, 0xA3 attribute, 0xA2 end of object); nobody here
    decodes them."""
    create_req = (struct.pack(">I", 0x0000011D) + b"\x00\x04\x00" + bytes(4)
                  + b"\xA1" + struct.pack(">I", 0x000000D3) + b"\x82\x1F\x00\x00"
                  + b"\xA3\x82\x21\x00\x15\x0F" + b"ServerSession_1" + b"\xA2" + bytes(4))
    create_rsp = (b"\x00\x02\x87\x08\x87\x09"
                  + b"\xA1" + struct.pack(">I", 0x00000120) + b"\x82\x1F\x01\x00"
                  + b"\xA3\x81\x69\x00\x15\x00" + b"\xA2" + bytes(4))
    session = 0x00000388
    # Placeholder item parts: an address naming access area 0x8A0E0001 (DB 1) and a value. Their
    # exact encoding is not modelled; nothing here decodes them.
    set_req = (struct.pack(">I", session) + b"\x01\x01" + bytes.fromhex("8a0e0001") + b"\x00\x0a"
               + b"\x01\x00\x03\x81\x74" + bytes(4))
    get_req = struct.pack(">I", 0) + b"\x01\x01" + bytes.fromhex("8a0e0001") + b"\x00\x0a" + bytes(4)
    get_rsp = b"\x00\x01\x00\x03\x81\x74\x00" + bytes(4)
    delete_req = struct.pack(">I", session) + bytes(4)
    s = [("c", cr(0x0600, b"SIMATIC-ROOT-HMI")), ("s", cc(0x0600, b"SIMATIC-ROOT-HMI"))]
    s.append(("c", dt(s7p(1, 0x31, 0x04CA, 1, create_req, session=0x00000120))))
    s.append(("s", dt(s7p(1, 0x32, 0x04CA, 1, create_rsp))))
    s.append(("c", dt(s7p(3, 0x31, 0x0542, 2, set_req, session=session, flags=0x34, integrity=digest(2)))))
    s.append(("s", dt(s7p(3, 0x32, 0x0542, 2, b"\x00\x00" + bytes(4), flags=0x34, integrity=digest(3)))))
    s.append(("c", dt(s7p(3, 0x31, 0x054C, 3, get_req, session=session, flags=0x34, integrity=digest(4)))))
    s.append(("s", dt(s7p(3, 0x32, 0x054C, 3, get_rsp, flags=0x34, integrity=digest(5)))))
    s.append(("c", dt(s7p(3, 0x31, 0x04D4, 4, delete_req, session=session, flags=0x34, integrity=digest(6)))))
    s.append(("s", dt(s7p(3, 0x32, 0x04D4, 4, b"\x00" + bytes(4), flags=0x34, integrity=digest(7)))))
    return s


def mms_script():
    identify_req = ber(0xA0, ber(0x02, b"\x01") + ber(0x82, b""))
    identify_rsp = ber(0xA1, ber(0x02, b"\x01") + ber(0xA2, ber(0x80, b"otsentry-lab") + ber(0x81, b"IED-1")
                                                        + ber(0x82, b"1.0")))
    return [("c", cr(0x0001, 0x0001)), ("s", cc(0x0001, 0x0001)),
            ("c", dt(mms_connect())), ("s", dt(mms_accept())),
            ("c", dt(mms_data(identify_req))), ("s", dt(mms_data(identify_rsp)))]


def write(name, pkts):
    wrpcap(os.path.join(HERE, name), pkts)


def main():
    out = []
    connection(out, T0_US, HMI, 49152, PLC, 102, normal_script())
    write("normal.pcap", out)

    out = []
    connection(out, T0_US, HMI, 49152, PLC, 1102, normal_script())
    write("nonstandard_port.pcap", out)

    out = []
    connection(out, T0_US, ENGINEERING, 49200, PLC, 102, plc_stop_script())
    write("plc_stop.pcap", out)

    out = []
    connection(out, T0_US, ENGINEERING, 49210, PLC, 102, download_script())
    write("download.pcap", out)

    out = []
    t = T0_US
    for n, (script, first) in enumerate(malformed_scripts()):
        t = connection(out, t, FUZZER, 49300 + n, PLC, 102, script, first) + 1_000_000
    write("malformed.pcap", out)

    out = []
    connection(out, T0_US, HMI_1500, 49400, PLC_1500, 102, s7commplus_script())
    write("s7commplus.pcap", out)

    out = []
    connection(out, T0_US, MMS_CLIENT, 49500, IED, 102, mms_script())
    write("mms_on_102.pcap", out)


if __name__ == "__main__":
    main()
