#!/usr/bin/python3
"""Real Modbus/TCP peers over loopback, for making the captures in pcaps/.

Run with Debian's /usr/bin/python3 (python3-pymodbus 3.0.0).

    modbus_peers.py server --host 127.0.0.1 --port 502
    modbus_peers.py client --scenario functions --port 502 [--source 127.0.0.5]
    modbus_peers.py client --scenario demo --port 502

The server is pymodbus's asyncio TCP server with a fixed datastore (100 coils,
discrete inputs, holding and input registers, zero-based addresses) and a fixed
device identity. Every value the clients write is fixed, so two runs differ only
in timestamps, ephemeral client ports and TCP sequence numbers.
"""

import argparse
import logging
import signal
import sys
import time
import types

# Debian's python3-pymodbus 3.0.0 imports pyserial and pyserial-asyncio at module load
# (client/serial.py, server/async_io.py) but does not depend on them. We only use TCP,
# so stand-ins that are never called are enough.
for _name in ("serial", "serial_asyncio"):
    if _name not in sys.modules:
        try:
            __import__(_name)
        except ImportError:
            _stub = types.ModuleType(_name)
            _stub.create_serial_connection = None
            _stub.Serial = None
            _stub.SerialException = Exception
            sys.modules[_name] = _stub

from pymodbus.client import ModbusTcpClient
from pymodbus.datastore import (ModbusSequentialDataBlock, ModbusServerContext,
                                ModbusSlaveContext)
from pymodbus.device import ModbusDeviceIdentification
from pymodbus.diag_message import (ClearCountersRequest, ForceListenOnlyModeRequest,
                                   ReturnBusMessageCountRequest,
                                   ReturnDiagnosticRegisterRequest, ReturnQueryDataRequest)
from pymodbus.mei_message import ReadDeviceInformationRequest
from pymodbus.pdu import ExceptionResponse, ModbusRequest
from pymodbus.register_read_message import ReadWriteMultipleRegistersRequest
from pymodbus.register_write_message import MaskWriteRegisterRequest

DATASTORE_SIZE = 100  # reads at address >= 100 get exception 2 (illegal data address)


def make_context():
    """Fixed, recognisable values: coil/DI i is (i % 3 == 0); HR i = 1000 + i; IR i = 2000 + i."""
    coils = ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(DATASTORE_SIZE)])
    dis = ModbusSequentialDataBlock(0, [i % 2 == 0 for i in range(DATASTORE_SIZE)])
    hrs = ModbusSequentialDataBlock(0, [1000 + i for i in range(DATASTORE_SIZE)])
    irs = ModbusSequentialDataBlock(0, [2000 + i for i in range(DATASTORE_SIZE)])
    slave = ModbusSlaveContext(di=dis, co=coils, hr=hrs, ir=irs, zero_mode=True)
    return ModbusServerContext(slaves=slave, single=True)


def make_identity():
    ident = ModbusDeviceIdentification()
    ident.VendorName = "otsentry-lab"
    ident.ProductCode = "OTS-PLC-1"
    ident.VendorUrl = "https://example.invalid/otsentry"
    ident.ProductName = "otsentry loopback PLC"
    ident.ModelName = "pymodbus-3.0"
    ident.MajorMinorRevision = "3.0.0"
    return ident


def run_server(host, port):
    import asyncio
    from pymodbus.server import StartAsyncTcpServer

    async def main():
        server = await StartAsyncTcpServer(context=make_context(), identity=make_identity(),
                                           address=(host, port), defer_start=True,
                                           allow_reuse_address=True)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        task = asyncio.create_task(server.serve_forever())
        await server.serving
        print(f"listening {host}:{port}", flush=True)
        await stop.wait()
        await server.shutdown()
        task.cancel()

    asyncio.run(main())


class UnsupportedFunctionRequest(ModbusRequest):
    """A user-defined function code (65, Modbus App Protocol v1.1b3 §5) the server lacks."""

    function_code = 0x41
    _rtu_frame_size = 4

    def encode(self):
        return b"\x00\x01"

    def decode(self, data):
        pass


def client(host, port, source, timeout=2):
    c = ModbusTcpClient(host, port=port, source_address=(source, 0) if source else None,
                        timeout=timeout, retries=0, retry_on_empty=False)
    if not c.connect():
        sys.exit(f"cannot connect to {host}:{port} from {source}")
    return c


def check(resp, what, expect_exception=None):
    """Fail loudly if the server did not answer as planned (the capture would be wrong)."""
    if expect_exception is not None:
        ok = isinstance(resp, ExceptionResponse) and resp.exception_code == expect_exception
    else:
        ok = resp is not None and not getattr(resp, "isError", lambda: True)()
    if not ok:
        sys.exit(f"unexpected answer to {what}: {resp!r}")
    return resp


# The diag_* helpers of pymodbus 3.0.0's client pass the unit id positionally into the
# sub-function data field (so the PDU goes to unit 0); build the requests ourselves instead.
def listen_only(c, unit):
    """Diagnostics 08/04: the server must not answer (Modbus over serial line §6.8.1.4)."""
    try:
        resp = c.execute(ForceListenOnlyModeRequest(unit=unit))
    except Exception:  # pylint: disable=broad-except
        resp = None
    # pymodbus 3.0 returns a ModbusIOException for the timeout; any real answer is a bug.
    if resp is not None and not resp.isError():
        sys.exit(f"server answered force-listen-only: {resp!r}")


def scenario_functions(host, port, source):
    """One pass over every public function pymodbus serves, plus three exceptions."""
    c = client(host, port, source)
    u = 1
    check(c.read_coils(0, 16, slave=u), "fc1")
    check(c.read_discrete_inputs(0, 16, slave=u), "fc2")
    check(c.read_holding_registers(0, 10, slave=u), "fc3")
    check(c.read_input_registers(10, 5, slave=u), "fc4")
    check(c.write_coil(5, True, slave=u), "fc5")
    check(c.write_register(20, 4242, slave=u), "fc6")
    check(c.read_exception_status(slave=u), "fc7")
    check(c.write_coils(30, [True, False, True, True, False, False, True, False, True],
                        slave=u), "fc15")
    check(c.write_registers(40, [11, 22, 33, 44], slave=u), "fc16")
    check(c.mask_write_register(address=20, and_mask=0xF0F2, or_mask=0x0025, unit=u), "fc22")
    check(c.execute(ReadWriteMultipleRegistersRequest(read_address=40, read_count=4,
                                                      write_address=50,
                                                      write_registers=[7, 8, 9], unit=u)),
          "fc23")
    check(c.execute(ReadDeviceInformationRequest(read_code=0x01, object_id=0x00, unit=u)),
          "fc43/14 basic")
    check(c.execute(ReadDeviceInformationRequest(read_code=0x04, object_id=0x01, unit=u)),
          "fc43/14 one object")
    check(c.execute(ReturnQueryDataRequest(0x1234, unit=u)), "fc8/0")
    check(c.execute(ReturnDiagnosticRegisterRequest(unit=u)), "fc8/2")
    check(c.execute(ReturnBusMessageCountRequest(unit=u)), "fc8/11")
    # exceptions: address beyond the datastore, quantity beyond the spec, unknown function
    check(c.read_holding_registers(150, 10, slave=u), "fc3 beyond datastore", 2)
    check(c.read_coils(95, 10, slave=u), "fc1 beyond datastore", 2)
    check(c.read_holding_registers(0, 126, slave=u), "fc3 quantity 126", 3)
    check(c.execute(UnsupportedFunctionRequest(unit=u)), "fc65", 1)
    listen_only(c, u)
    # pymodbus keeps serving after 08/04 (it only sets a flag); show that on the wire
    check(c.execute(ClearCountersRequest(unit=u)), "fc8/10 after listen-only")
    check(c.read_holding_registers(0, 2, slave=u), "fc3 after listen-only")
    c.close()


def hmi_poll(c, cycles, period):
    for _ in range(cycles):
        check(c.read_holding_registers(0, 10, slave=1), "hmi fc3")
        check(c.read_input_registers(0, 8, slave=1), "hmi fc4")
        check(c.read_coils(0, 16, slave=1), "hmi fc1")
        check(c.read_discrete_inputs(0, 16, slave=1), "hmi fc2")
        time.sleep(period)


def scenario_demo(host, port):
    """A small plant scene, one phase after the other so the capture order is fixed.

    127.0.0.10  HMI: polls the PLC (fc 1-4) on one long-lived connection
    127.0.0.20  engineering workstation: identifies the PLC, downloads setpoints (fc 6/16/23)
    127.0.0.66  unexpected host: diagnostics, force listen only, writes, probes beyond the map
    """
    period = 0.1
    hmi = client(host, port, "127.0.0.10")
    hmi_poll(hmi, 6, period)

    ews = client(host, port, "127.0.0.20")
    check(ews.execute(ReadDeviceInformationRequest(read_code=0x01, object_id=0x00, unit=1)),
          "ews fc43")
    check(ews.read_holding_registers(0, 20, slave=1), "ews fc3")
    check(ews.write_registers(10, [1500, 1550, 1600, 1650], slave=1), "ews fc16")
    check(ews.write_register(2, 75, slave=1), "ews fc6")
    check(ews.execute(ReadWriteMultipleRegistersRequest(read_address=10, read_count=4,
                                                        write_address=14,
                                                        write_registers=[300, 301], unit=1)),
          "ews fc23")
    ews.close()

    hmi_poll(hmi, 4, period)

    rogue = client(host, port, "127.0.0.66", timeout=1)
    check(rogue.execute(ReturnQueryDataRequest(0xA55A, unit=1)), "rogue fc8/0")
    listen_only(rogue, 1)
    check(rogue.write_coil(0, False, slave=1), "rogue fc5")
    check(rogue.write_register(2, 9999, slave=1), "rogue fc6")
    check(rogue.write_coils(0, [False] * 8, slave=1), "rogue fc15")
    check(rogue.read_holding_registers(200, 10, slave=1), "rogue fc3 beyond map", 2)
    check(rogue.execute(UnsupportedFunctionRequest(unit=1)), "rogue fc65", 1)
    rogue.close()

    hmi_poll(hmi, 4, period)
    hmi.close()


def main():
    logging.basicConfig(level=logging.CRITICAL)
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=502)
    c = sub.add_parser("client")
    c.add_argument("--scenario", choices=["functions", "demo"], required=True)
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=502)
    c.add_argument("--source", default=None, help="local address to bind (127.x.y.z)")
    a = ap.parse_args()
    for h in (a.host, getattr(a, "source", None)):
        if h and not h.startswith("127."):
            sys.exit(f"{h}: only loopback addresses are allowed")
    if a.cmd == "server":
        run_server(a.host, a.port)
    elif a.scenario == "functions":
        scenario_functions(a.host, a.port, a.source)
    else:
        scenario_demo(a.host, a.port)


if __name__ == "__main__":
    main()
