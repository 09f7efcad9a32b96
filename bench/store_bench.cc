// store_bench: the alert store under a realistic load (issue 6, acceptance 6).
//
//  1. Insert N alerts (default 1 million) through Store::insert_batch in batches of the writer's
//     size, with the default aggregation, and check that every one is there (no loss): alerts
//     per second.
//  2. An alert storm (one sid on a few flows) with aggregation on: alerts per second.
//  3. Latency (p50/p95/max over R runs, on a read-only connection like the web UI's) of the UI's
//     queries on that store: the latest page, filtered by severity and protocol, count by sid,
//     and a few more (deep page, host, status, free text, detail).
//  4. Retention: pruning the oldest sixth by age in 1000-row transactions (the write lock is held
//     for one transaction: its p95/max is how long the writer can wait).
//
// The data: a few hundred sids with skewed popularity, skewed source hosts, protocols weighted like
// a plant (Modbus, then DNP3, IEC 104, S7, a few others), six months of timestamps, EVE lines of
// ~700 bytes, and evidence pcaps on 5% of the alerts. Fixed seed: runs are comparable.
//
// Usage: store_bench [--alerts N] [--runs R] [--db PATH] [--batch B] [--aggregation flow|hosts|none]
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "alerts/store.h"

namespace {

namespace al = otsentry::alerts;
using Clock = std::chrono::steady_clock;

constexpr int64_t day_us = 86'400'000'000LL;
constexpr int64_t start_us = 1'700'000'000'000'000LL;

struct Options {
    int64_t alerts = 1'000'000;
    int runs = 200;
    size_t batch = 16384;  // WriterConfig::batch_max
    std::string db = "store_bench.db";
    al::AggregationKey key = al::AggregationKey::Flow;
};

double seconds_since(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Zipf-like pick in [0, n): rank k with weight 1 / (k + 1)^s.
class Skewed {
public:
    Skewed(size_t n, double s)
    {
        cdf_.resize(n);
        double sum = 0;
        for (size_t k = 0; k < n; ++k)
            cdf_[k] = sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
        for (auto& c : cdf_)
            c /= sum;
    }
    size_t operator()(std::mt19937_64& rng) const
    {
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    }

private:
    std::vector<double> cdf_;
};

struct Proto {
    const char* name;
    uint16_t port;
    double weight;
};
constexpr Proto protos[] = {{"modbus", 502, 0.50}, {"dnp3", 20000, 0.20}, {"iec104", 2404, 0.15},
                            {"s7comm", 102, 0.10}, {"enip", 44818, 0.03}, {"opcua", 4840, 0.02}};

struct Rule {
    uint32_t sid;
    uint8_t severity;
    size_t proto;
    std::string signature;
};

class Generator {
public:
    explicit Generator(int64_t total)
        : total_(total), sid_pick_(300, 1.1), src_pick_(400, 1.2), dst_pick_(60, 0.8)
    {
        std::vector<double> weights;
        for (const auto& p : protos)
            weights.push_back(p.weight);
        std::discrete_distribution<size_t> proto_pick(weights.begin(), weights.end());
        for (uint32_t i = 0; i < 300; ++i) {
            const uint8_t sev = i % 10 == 0 ? 1 : i % 10 < 4 ? 2 : 3;
            const size_t p = proto_pick(rng_);
            rules_.push_back(
                {2'100'000 + i, sev, p,
                 std::string("OTSENTRY ") + protos[p].name + " suspicious operation " + std::to_string(i)});
        }
        pcap_.assign(24, '\0');
        const uint32_t magic = 0xa1b2c3d4;
        std::memcpy(pcap_.data(), &magic, 4);
        for (int i = 0; i < 6; ++i) {  // 6 packets of 70 bytes: a Modbus exchange
            uint32_t hdr[4] = {1'700'000'000u, static_cast<uint32_t>(i), 70, 70};
            pcap_.append(reinterpret_cast<const char*>(hdr), sizeof hdr);
            pcap_.append(70, static_cast<char>(i));
        }
    }

    al::Record next(int64_t i)
    {
        const Rule& rule = rules_[sid_pick_(rng_)];
        al::Record r;
        r.kind = al::RecordKind::Alert;
        // Six months, in order, with jitter.
        r.ts_us = start_us +
                  static_cast<int64_t>(static_cast<double>(183 * day_us) * static_cast<double>(i) /
                                       static_cast<double>(total_)) +
                  static_cast<int64_t>(rng_() % 1000);
        const size_t src = src_pick_(rng_), dst = dst_pick_(rng_);
        r.src_ip = "10.1." + std::to_string(src / 250) + "." + std::to_string(src % 250 + 1);
        r.dest_ip = "10.2.0." + std::to_string(dst + 1);
        r.src_port = static_cast<uint16_t>(1024 + rng_() % 60000);
        r.dest_port = protos[rule.proto].port;
        r.flow_id = rng_() >> 12;
        r.proto = "TCP";
        r.app_proto = protos[rule.proto].name;
        r.pcap_cnt = static_cast<uint64_t>(i);
        r.gid = 1;
        r.sid = rule.sid;
        r.rev = 2;
        r.signature = rule.signature;
        r.category = "Attempted Administrator Privilege Gain";
        r.severity = rule.severity;
        char buf[1024];
        std::snprintf(
            buf, sizeof buf,
            R"({"timestamp":"2024-01-01T00:00:00.000000+0000","flow_id":%)" PRIu64
            R"(,"event_type":"alert","src_ip":"%s","src_port":%u,"dest_ip":"%s","dest_port":%u,)"
            R"("proto":"TCP","app_proto":"%s","direction":"to_server","alert":{"action":"allowed","gid":1,)"
            R"("signature_id":%u,"rev":2,"signature":"%s","category":"Attempted Administrator Privilege )"
            R"(Gain","severity":%u,"metadata":{"mitre_ics_tactic":["Impair Process Control"]}},"%s":)"
            R"({"request":{"transaction_id":%u,"unit_id":1,"function_code":16,"address":%u,"quantity":4,)"
            R"("pcap_cnt":%)" PRId64 R"(},"response":{"transaction_id":%u,"unit_id":1,"function_code":16,)"
            R"("pcap_cnt":%)" PRId64 R"(}},"pcap_cnt":%)" PRId64 "}",
            r.flow_id, r.src_ip.c_str(), r.src_port, r.dest_ip.c_str(), r.dest_port, r.app_proto.c_str(),
            r.sid, r.signature.c_str(), r.severity, r.app_proto.c_str(), static_cast<unsigned>(i & 0xffff),
            static_cast<unsigned>(rng_() % 4000), i, static_cast<unsigned>(i & 0xffff), i + 1, i + 1);
        r.eve_json = buf;
        if (rng_() % 20 == 0) r.evidence_pcap = pcap_;
        return r;
    }

private:
    int64_t total_;
    std::mt19937_64 rng_{20240601};
    Skewed sid_pick_, src_pick_, dst_pick_;
    std::vector<Rule> rules_;
    std::string pcap_;
};

struct Latency {
    double p50_ms, p95_ms, max_ms;
};

Latency measure(int runs, const std::function<size_t()>& query, size_t& rows)
{
    std::vector<double> ms;
    ms.reserve(static_cast<size_t>(runs));
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        rows = query();
        ms.push_back(seconds_since(t0) * 1000);
    }
    std::sort(ms.begin(), ms.end());
    const auto at = [&](double q) {
        return ms[std::min(ms.size() - 1, static_cast<size_t>(q * static_cast<double>(ms.size())))];
    };
    return {at(0.50), at(0.95), ms.back()};
}

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--alerts")
            o.alerts = std::stoll(v);
        else if (k == "--runs")
            o.runs = std::stoi(v);
        else if (k == "--db")
            o.db = v;
        else if (k == "--batch")
            o.batch = std::stoul(v);
        else if (k == "--aggregation" && al::parse_aggregation_key(v))
            o.key = *al::parse_aggregation_key(v);
        else {
            std::fprintf(stderr,
                         "usage: store_bench [--alerts N] [--runs R] [--db PATH] [--batch B] [--aggregation "
                         "flow|hosts|none]\n");
            std::exit(2);
        }
    }
    return o;
}

void remove_db(const std::string& path)
{
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(path + suffix);
}

}  // namespace

int main(int argc, char** argv)
{
    const Options opt = parse(argc, argv);
    remove_db(opt.db);

    // 1. Sustained insert with the default aggregation (flow key, 60 s): every alert is on a flow
    //    of its own, so each one pays the aggregation lookup and becomes a row.
    {
        al::StoreOptions so;
        so.aggregation.key = opt.key;
        auto store = al::Store::open(opt.db, so);
        Generator gen(opt.alerts);
        std::vector<al::Record> batch;
        batch.reserve(opt.batch);
        double insert_s = 0;
        uint64_t inserted = 0, evidence = 0;
        for (int64_t i = 0; i < opt.alerts;) {
            batch.clear();
            for (; i < opt.alerts && batch.size() < opt.batch; ++i)
                batch.push_back(gen.next(i));
            const auto t0 = Clock::now();
            const auto r = store.insert_batch(batch);
            insert_s += seconds_since(t0);
            inserted += r.alerts;
            evidence += r.evidence;
        }
        const int64_t rows = store.count_alert_rows();
        std::printf("insert (aggregation %s): %" PRId64
                    " alerts in batches of %zu: %.1f s in insert_batch, %.0f alerts/s; "
                    "stored %" PRId64 " rows (%s), %" PRIu64 " with evidence; database %.0f MiB\n",
                    std::string(al::to_string(opt.key)).c_str(), opt.alerts, opt.batch, insert_s,
                    static_cast<double>(opt.alerts) / insert_s, rows,
                    rows == opt.alerts && inserted == static_cast<uint64_t>(opt.alerts) ? "no loss" : "LOSS",
                    evidence, static_cast<double>(store.database_bytes()) / (1 << 20));
        if (rows != opt.alerts) return 1;
    }

    // 2. A storm with the default aggregation (flow key, 60 s): 20 flows, one sid, 200k alerts.
    {
        const std::string storm_db = opt.db + ".storm";
        remove_db(storm_db);
        std::optional<al::Store> storm(al::Store::open(storm_db));
        auto& store = *storm;
        Generator gen(200'000);
        std::vector<al::Record> all;
        for (int64_t i = 0; i < 200'000; ++i) {
            al::Record r = gen.next(i);
            r.sid = 2'199'999;
            r.flow_id = static_cast<uint64_t>(i % 20);
            r.ts_us = start_us + i * 100;  // 10 000 alerts/s of packet time
            all.push_back(std::move(r));
        }
        const auto t0 = Clock::now();
        for (size_t i = 0; i < all.size(); i += opt.batch)
            store.insert_batch(
                std::span<const al::Record>(all.data() + i, std::min(opt.batch, all.size() - i)));
        const double s = seconds_since(t0);
        std::printf("storm: 200000 alerts, 20 flows, aggregation flow/60s: %.2f s, %.0f alerts/s -> %" PRId64
                    " rows counting %" PRId64 " alerts\n",
                    s, 200'000 / s, store.count_alert_rows(), store.count_alerts());
        storm.reset();
        remove_db(storm_db);
    }

    // 3. The UI's queries, on a read-only connection.
    {
        auto store = al::Store::open(opt.db, /*read_only=*/true);
        const int64_t newest = start_us + 183 * day_us;
        struct Q {
            const char* name;
            std::function<size_t()> run;
        };
        al::AlertCursor deep{};
        {
            al::AlertFilter f;
            f.limit = 1000;
            for (int i = 0; i < 20; ++i) {
                const auto p = store.list_alerts(f);
                f.before = p.next;
            }
            deep = *f.before;
        }
        const std::vector<Q> queries = {
            {"latest page (50)", [&] { return store.list_alerts({}).alerts.size(); }},
            {"severity 1 + modbus, page",
             [&] {
                 al::AlertFilter f;
                 f.severities = {1};
                 f.app_proto = "modbus";
                 return store.list_alerts(f).alerts.size();
             }},
            {"severity 1 + opcua, page (rare)",
             [&] {
                 al::AlertFilter f;
                 f.severities = {1};
                 f.app_proto = "opcua";
                 return store.list_alerts(f).alerts.size();
             }},
            {"count by sid (all 6 months)", [&] { return store.count_by(al::Facet::Sid, {}).size(); }},
            {"count by sid (last 24 h)",
             [&] {
                 al::AlertFilter f;
                 f.since_us = newest - day_us;
                 return store.count_by(al::Facet::Sid, f).size();
             }},
            {"count by severity (last 7 d)",
             [&] {
                 al::AlertFilter f;
                 f.since_us = newest - 7 * day_us;
                 return store.count_by(al::Facet::Severity, f).size();
             }},
            {"page after 20000 rows (cursor)",
             [&] {
                 al::AlertFilter f;
                 f.before = deep;
                 return store.list_alerts(f).alerts.size();
             }},
            {"host filter, page",
             [&] {
                 al::AlertFilter f;
                 f.host = "10.2.0.30";
                 return store.list_alerts(f).alerts.size();
             }},
            {"status new, page",
             [&] {
                 al::AlertFilter f;
                 f.statuses = {al::AlertStatus::New};
                 return store.list_alerts(f).alerts.size();
             }},
            {"sid filter, page",
             [&] {
                 al::AlertFilter f;
                 f.sid = 2'100'150;
                 return store.list_alerts(f).alerts.size();
             }},
            {"text in signature, page",
             [&] {
                 al::AlertFilter f;
                 f.text = "operation 299";
                 return store.list_alerts(f).alerts.size();
             }},
            {"alert detail", [&] { return store.alert_detail(opt.alerts / 2) ? size_t{1} : size_t{0}; }},
        };
        std::printf("\n%-34s %9s %9s %9s %6s   (%d runs, read-only connection, %" PRId64 " alerts)\n",
                    "query", "p50 ms", "p95 ms", "max ms", "rows", opt.runs, opt.alerts);
        for (const auto& q : queries) {
            size_t rows = 0;
            const auto l = measure(opt.runs, q.run, rows);
            std::printf("%-34s %9.3f %9.3f %9.3f %6zu\n", q.name, l.p50_ms, l.p95_ms, l.max_ms, rows);
        }
    }

    // 4. Retention: the oldest sixth by age, 1000 rows per transaction.
    {
        auto store = al::Store::open(opt.db);
        al::RetentionConfig cfg;
        cfg.alert_max_age_us = 152 * day_us;  // of 183 days: the oldest ~31 days go
        cfg.max_batches = 1;
        std::vector<double> ms;
        int64_t removed = 0;
        const auto t0 = Clock::now();
        for (;;) {
            const auto t1 = Clock::now();
            const auto r = store.prune(cfg, start_us + 183 * day_us);
            ms.push_back(seconds_since(t1) * 1000);
            removed += r.alerts();
            if (r.complete) break;
        }
        const double total = seconds_since(t0);
        std::sort(ms.begin(), ms.end());
        std::printf("\nprune: %" PRId64
                    " alert rows by age in %zu calls of one 1000-row transaction: %.1f s, "
                    "per call p50 %.1f ms, p95 %.1f ms, max %.1f ms; %" PRId64 " rows left\n",
                    removed, ms.size(), total, ms[ms.size() / 2], ms[ms.size() * 95 / 100], ms.back(),
                    store.count_alert_rows());
    }
    return 0;
}
