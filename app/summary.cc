#include "app/summary.h"

#include "app/output_options.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace otsentry::app {

std::string with_commas(uint64_t v)
{
    std::string digits = std::to_string(v);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string human_bytes(uint64_t v)
{
    constexpr const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    double d = static_cast<double>(v);
    size_t u = 0;
    while (d >= 1000 && u + 1 < std::size(units)) {
        d /= 1000;
        ++u;
    }
    return u == 0 ? fmt::format("{} B", v) : fmt::format("{:.1f} {}", d, units[u]);
}

void print_summary(std::FILE* out, const RunInfo& run, const EngineTotals& totals,
                   const alerts::WriterStats& written, const LiveRunInfo* live,
                   const std::vector<WorkerSnapshot>& workers)
{
    const auto& c = totals.counters;
    const auto& d = totals.decode;
    const auto& f = totals.flows;
    const auto& s = totals.stream;
    const double secs = std::max(run.elapsed_s, 1e-6);

    const std::string inputs =
        live == nullptr ? fmt::format("replay: {} file{}", run.files, run.files == 1 ? "" : "s")
        : live->interfaces.size() == 1 ? fmt::format("monitor: interface {}", live->interfaces.front())
                                       : fmt::format("monitor: {} interfaces ({})", live->interfaces.size(),
                                                     fmt::join(live->interfaces, ", "));
    fmt::print(out, "otsentry {}, {} packets, {} in {:.2f} s ({} packets/s, {:.3f} Gbit/s)\n", inputs,
               with_commas(c.packets), human_bytes(c.bytes), run.elapsed_s,
               with_commas(static_cast<uint64_t>(static_cast<double>(c.packets) / secs)),
               static_cast<double>(c.bytes) * 8 / secs / 1e9);
    if (live != nullptr) {
        fmt::print(out, "  capture:      received {}, dropped {} by the kernel, {} by the interface\n",
                   with_commas(live->received), with_commas(live->kernel_dropped),
                   with_commas(live->if_dropped));
    }

    std::string protos;
    for (unsigned p = 1; p < protocol_count; ++p)
        if (c.flows_by_proto[p] != 0)
            protos += fmt::format(", {} {}", protocol_name(static_cast<Protocol>(p)),
                                  with_commas(c.flows_by_proto[p]));
    fmt::print(out, "  flows:        {} (tcp {}, udp {}{}); timed out {}, evicted {}, peak active {}\n",
               with_commas(f.created), with_commas(c.tcp_flows), with_commas(c.udp_flows), protos,
               with_commas(f.timed_out), with_commas(f.evicted), with_commas(f.peak_active));

    uint64_t total_events = 0;
    std::string events;
    for (unsigned p = 1; p < protocol_count; ++p) {
        if (c.events[p] == 0) continue;
        total_events += c.events[p];
        events += fmt::format("{}{} {}", events.empty() ? " (" : ", ",
                              protocol_name(static_cast<Protocol>(p)), with_commas(c.events[p]));
    }
    fmt::print(out, "  events:       {}{}\n", with_commas(total_events), events.empty() ? "" : events + ")");

    if (c.rule_alerts != 0) {
        // The most frequent signatures first, at most eight.
        std::vector<std::pair<uint32_t, uint64_t>> sids{c.rule_alert_counts.begin(),
                                                        c.rule_alert_counts.end()};
        std::sort(sids.begin(), sids.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        std::string top;
        for (size_t i = 0; i < sids.size() && i < 8; ++i)
            top +=
                fmt::format("{}sid {} {}", i == 0 ? " (" : ", ", sids[i].first, with_commas(sids[i].second));
        if (sids.size() > 8) top += ", ...";
        fmt::print(out, "  rule alerts:  {}{}\n", with_commas(c.rule_alerts), top.empty() ? "" : top + ")");
    }

    std::vector<std::pair<std::string_view, uint64_t>> anomalies;
    for (const auto& [a, n] : c.anomaly_counts)
        anomalies.emplace_back(a->name, n);
    std::sort(anomalies.begin(), anomalies.end());
    std::string list;
    for (const auto& [name, n] : anomalies)
        list += fmt::format("{}{} {}", list.empty() ? " (" : ", ", name, with_commas(n));
    fmt::print(out, "  anomalies:    {}{}\n", with_commas(c.anomalies), list.empty() ? "" : list + ")");

    std::string errs;
    for (size_t i = 1; i < d.errors.size(); ++i)
        if (d.errors[i] != 0)
            errs += fmt::format("{}{} {}", errs.empty() ? " (" : ", ",
                                capture::decode_error_name(static_cast<capture::DecodeError>(i)),
                                with_commas(d.errors[i]));
    fmt::print(out, "  decode:       ipv4 {}, ipv6 {}, tcp {}, udp {}, other {}, fragments {}; errors {}{}\n",
               with_commas(d.ipv4), with_commas(d.ipv6), with_commas(d.tcp), with_commas(d.udp),
               with_commas(d.icmp + d.other_l4 + d.non_ip), with_commas(d.fragments),
               with_commas(d.total_errors()), errs.empty() ? "" : errs + ")");
    // Anomalies other than timeouts and memcap drops, which have their own counts.
    const auto& fr = totals.defrag;
    fmt::print(out,
               "  fragments:    {} datagrams reassembled; overlaps {} ({} conflicting), anomalies {}, "
               "discarded {}, timeouts {}, memcap {}\n",
               with_commas(fr.reassembled), with_commas(fr.overlaps),
               with_commas(fr.count(capture::DefragAnomaly::OverlapConflict)),
               with_commas(fr.total_anomalies() - fr.timeouts - fr.memcap_drops), with_commas(fr.discarded),
               with_commas(fr.timeouts), with_commas(fr.memcap_drops));
    fmt::print(out,
               "  tcp streams:  {} delivered; out of order {}, gaps {} ({}), retransmissions {}, overlaps {} "
               "({} conflicting), held-data overflows {}, memcap {}, mid-stream {}\n",
               human_bytes(s.bytes_delivered), with_commas(s.out_of_order), with_commas(s.gaps),
               human_bytes(s.gap_bytes), with_commas(s.retransmissions), with_commas(s.overlaps),
               with_commas(s.overlap_conflicts), with_commas(s.buffer_overflows), with_commas(s.memcap_hits),
               with_commas(s.midstream));
    if (workers.size() > 1) {
        std::string per_worker;
        uint64_t waits = 0;
        for (const auto& w : workers) {
            per_worker += fmt::format("{}{}", per_worker.empty() ? "" : " / ", with_commas(w.packets));
            waits += w.queue_waits;
        }
        fmt::print(out, "  workers:      {} (packets {}); reader waited for a full queue {} times\n",
                   workers.size(), per_worker, with_commas(waits));
    }
    std::string dest;
    if (!run.db_path.empty()) dest += " -> " + run.db_path;
    if (!run.eve_path.empty()) dest += (dest.empty() ? " -> " : ", ") + run.eve_path;
    fmt::print(out, "  written:      {} events, {} alerts{}{}\n", with_commas(written.events),
               with_commas(written.alerts), dest,
               written.failed != 0 ? fmt::format(" ({} records could not be written)", written.failed) : "");
    if (const std::string problems = writer_problems(written); !problems.empty())
        fmt::print(out, "  output:       {}\n", problems);
}

}  // namespace otsentry::app
