// Fuzzes the whole pipeline on pcap-file bytes: libpcap's file reader, every decoder, the flow
// table, TCP streams, protocol detection, every dissector and EVE rendering. The input is
// written to a file in memory-backed /dev/shm (libpcap reads files) and replayed.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "app/engine.h"
#include "capture/source/pcap_source.h"

namespace {

class DiscardOutput final : public otsentry::app::RecordOutput {
public:
    void submit(otsentry::alerts::Record&& r) override { bytes_ += r.eve_json.size(); }
    size_t bytes_ = 0;
};

const std::string& scratch_path()
{
    static const std::string path = "/dev/shm/otsentry-pipeline-fuzz-" + std::to_string(getpid()) + ".pcap";
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string& path = scratch_path();
    if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    } else {
        return 0;
    }
    otsentry::capture::PcapFileSource source{{path}};
    if (!source.check_all().empty()) return 0;
    DiscardOutput out;
    otsentry::app::EngineConfig cfg;
    cfg.flows.capacity = 64;  // small, so eviction paths run too
    otsentry::app::Engine engine{cfg, out};
    otsentry::capture::RawPacket pkt;
    for (int guard = 0; guard < 100000; ++guard) {
        const auto st = source.next(pkt);
        if (st == otsentry::capture::PcapFileSource::Status::End) break;
        if (st == otsentry::capture::PcapFileSource::Status::Packet) engine.process(pkt);
    }
    engine.finish();
    return 0;
}
