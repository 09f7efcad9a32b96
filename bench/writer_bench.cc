// Sustained alert rate through alerts::Writer into SQLite (and optionally the EVE file), with no
// loss: every run checks that the database holds every alert it was given.
//
//   writer_bench [--alerts N] [--producers P] [--dir DIR] [--eve] [--batch B]... [--sync normal|full]...
//
// Default: 1,000,000 alerts from 4 producer threads, batches of 1,000 and 16,384, synchronous
// NORMAL and FULL (4 runs), each into a fresh database under --dir (default: the temp dir).
// Aggregation is off (every alert is its own row) so that the rate is the insert rate. The
// alerts look like real ones: ~50 sids, a few hundred hosts, Modbus/DNP3/IEC 104, ~600-byte EVE
// lines. Prints one line per run: alerts/s, wall time, waits on a full queue, database size.
#include <algorithm>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "alerts/store.h"
#include "alerts/writer.h"

namespace {

using otsentry::alerts::AggregationKey;
using otsentry::alerts::Record;
using otsentry::alerts::RecordKind;
using otsentry::alerts::Synchronous;
using otsentry::alerts::Writer;
using otsentry::alerts::WriterConfig;

Record make_alert(std::mt19937_64& rng, uint64_t n)
{
    static const char* const protos[] = {"modbus", "dnp3", "iec104"};
    static const uint16_t ports[] = {502, 20000, 2404};
    const auto p = static_cast<size_t>(rng() % 3);
    Record r;
    r.kind = RecordKind::Alert;
    r.ts_us = 1'704'067'200'000'000 + static_cast<int64_t>(n) * 1000;
    r.flow_id = rng();
    r.src_ip = "10.1." + std::to_string(rng() % 4) + "." + std::to_string(1 + rng() % 100);
    r.dest_ip = "10.0.0." + std::to_string(1 + rng() % 50);
    r.src_port = static_cast<uint16_t>(1024 + rng() % 60000);
    r.dest_port = ports[p];
    r.proto = "TCP";
    r.app_proto = protos[p];
    r.pcap_cnt = n + 1;
    r.gid = 1;
    r.sid = 1001000 + static_cast<uint32_t>(rng() % 50);
    r.rev = 1;
    r.severity = static_cast<uint8_t>(1 + rng() % 3);
    r.signature = "OTSENTRY " + r.app_proto + " benchmark signature " + std::to_string(r.sid);
    r.category = "Attempted Administrator Privilege Gain";
    r.eve_json = R"({"timestamp":"2024-01-01T00:00:00.000000+0000","flow_id":)" + std::to_string(r.flow_id) +
                 R"(,"event_type":"alert","src_ip":")" + r.src_ip + R"(","src_port":)" +
                 std::to_string(r.src_port) + R"(,"dest_ip":")" + r.dest_ip + R"(","dest_port":)" +
                 std::to_string(r.dest_port) + R"(,"proto":"TCP","app_proto":")" + r.app_proto +
                 R"(","alert":{"action":"allowed","gid":1,"signature_id":)" + std::to_string(r.sid) +
                 R"(,"rev":1,"signature":")" + r.signature + R"(","category":")" + r.category +
                 R"(","severity":)" + std::to_string(r.severity) + R"(},")" + r.app_proto +
                 R"(":{"request":{"transaction_id":1,"unit_id":1,"function_code":16,"address":40001,)"
                 R"("quantity":10,"pcap_cnt":)" +
                 std::to_string(r.pcap_cnt) +
                 R"(},"response":{"transaction_id":1,"unit_id":1,)"
                 R"("function_code":16,"pcap_cnt":)" +
                 std::to_string(r.pcap_cnt + 1) + R"(}},"pcap_cnt":)" + std::to_string(r.pcap_cnt) + "}";
    return r;
}

struct Result {
    double seconds = 0;
    uint64_t stored = 0;
    otsentry::alerts::WriterStats stats;
    uint64_t db_bytes = 0;
};

Result run(const std::string& dir, uint64_t alerts, unsigned producers, size_t batch, Synchronous sync,
           bool eve)
{
    namespace fs = std::filesystem;
    const std::string db = dir + "/writer_bench.db";
    for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(db + suffix);
    fs::remove(dir + "/writer_bench.eve.json");

    // The records are made before the clock starts: the bench measures the writer, not them.
    std::vector<std::vector<Record>> per(producers);
    for (unsigned p = 0; p < producers; ++p) {
        std::mt19937_64 rng(p + 1);
        for (uint64_t n = p; n < alerts; n += producers)
            per[p].push_back(make_alert(rng, n));
    }

    WriterConfig cfg;
    cfg.db_path = db;
    if (eve) cfg.eve_path = dir + "/writer_bench.eve.json";
    cfg.batch_max = batch;
    cfg.synchronous = sync;
    cfg.store.aggregation.key = AggregationKey::None;
    Result res;
    const auto start = std::chrono::steady_clock::now();
    {
        Writer w(cfg);
        std::vector<std::thread> threads;
        for (unsigned p = 0; p < producers; ++p)
            threads.emplace_back([&w, &v = per[p]] {
                for (auto& r : v)
                    w.submit(std::move(r));
            });
        for (auto& t : threads)
            t.join();
        w.close();
        res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        res.stats = w.stats();
        if (const auto err = w.error()) std::fprintf(stderr, "writer error: %s\n", err->c_str());
    }
    auto store = otsentry::alerts::Store::open(db, /*read_only=*/true);
    res.stored = static_cast<uint64_t>(store.count_alerts());
    res.db_bytes = fs::file_size(db) + (fs::exists(db + "-wal") ? fs::file_size(db + "-wal") : 0);
    return res;
}

}  // namespace

int main(int argc, char** argv)
{
    uint64_t alerts = 1'000'000;
    unsigned producers = 4;
    std::string dir = std::filesystem::temp_directory_path().string();
    bool eve = false;
    std::vector<size_t> batches;
    std::vector<Synchronous> syncs;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "writer_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--alerts") {
            alerts = std::stoull(next());
        } else if (a == "--producers") {
            producers = static_cast<unsigned>(std::stoul(next()));
        } else if (a == "--dir") {
            dir = next();
        } else if (a == "--eve") {
            eve = true;
        } else if (a == "--batch") {
            batches.push_back(std::stoul(next()));
        } else if (a == "--sync") {
            const std::string s = next();
            syncs.push_back(s == "full" ? Synchronous::Full : Synchronous::Normal);
        } else {
            std::fprintf(
                stderr,
                "usage: writer_bench [--alerts N] [--producers P] [--dir DIR] [--eve] [--batch B]... "
                "[--sync normal|full]...\n");
            return 2;
        }
    }
    if (batches.empty()) batches = {1000, 16384};
    if (syncs.empty()) syncs = {Synchronous::Normal, Synchronous::Full};
    producers = std::max(producers, 1u);

    std::printf("%-8s %-7s %12s %9s %10s %10s %9s\n", "batch", "sync", "alerts/s", "seconds", "stored",
                "blocked", "db MiB");
    int status = 0;
    for (const size_t b : batches) {
        for (const auto s : syncs) {
            const Result r = run(dir, alerts, producers, b, s, eve);
            std::printf("%-8zu %-7s %12.0f %9.2f %10llu %10llu %9.1f\n", b,
                        s == Synchronous::Full ? "FULL" : "NORMAL", static_cast<double>(alerts) / r.seconds,
                        r.seconds, static_cast<unsigned long long>(r.stored),
                        static_cast<unsigned long long>(r.stats.blocked_submits),
                        static_cast<double>(r.db_bytes) / (1 << 20));
            std::fflush(stdout);
            if (r.stored != alerts || r.stats.failed != 0 || r.stats.alerts != alerts) {
                std::fprintf(stderr, "LOSS: %llu of %llu alerts stored, %llu failed\n",
                             static_cast<unsigned long long>(r.stored),
                             static_cast<unsigned long long>(alerts),
                             static_cast<unsigned long long>(r.stats.failed));
                status = 1;
            }
        }
    }
    std::filesystem::remove(dir + "/writer_bench.db");
    std::filesystem::remove(dir + "/writer_bench.db-wal");
    std::filesystem::remove(dir + "/writer_bench.db-shm");
    std::filesystem::remove(dir + "/writer_bench.eve.json");
    return status;
}
