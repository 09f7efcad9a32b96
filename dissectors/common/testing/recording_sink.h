// Test support shared by every dissector's unit tests: an EventSink that renders each event the
// way the EVE writer does, checks the JSON is well formed, and keeps what it saw.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "dissectors/common/dissector.h"
#include "dissectors/common/json_writer.h"

namespace otsentry::dissect::testing {

class RecordingSink final : public EventSink {
public:
    explicit RecordingSink(Protocol expected) : expected_{expected} {}

    void on_event(Protocol proto, const PacketCtx& ctx, const EventBody& event) override
    {
        EXPECT_EQ(proto, expected_);
        std::string out;
        JsonWriter w{out};
        event.write_json(w);
        EXPECT_EQ(w.depth(), 0u);
        EXPECT_TRUE(nlohmann::json::accept(out)) << out;
        texts.push_back(out);
        events.push_back(nlohmann::json::parse(out, nullptr, false));
        event_packets.push_back(ctx.pcap_cnt);
    }

    void on_anomaly(Protocol proto, const PacketCtx& ctx, const AnomalyInfo& anomaly,
                    const EventBody* context) override
    {
        EXPECT_EQ(proto, expected_);
        EXPECT_FALSE(anomaly.name.empty());
        anomalies.emplace_back(std::string{anomaly.name}, context != nullptr ? context->pcap_cnt() : 0);
        anomaly_packets.push_back(ctx.pcap_cnt);
    }

    [[nodiscard]] std::vector<std::string> anomaly_names() const
    {
        std::vector<std::string> names;
        names.reserve(anomalies.size());
        for (const auto& a : anomalies)
            names.push_back(a.first);
        return names;
    }

    std::vector<std::string> texts;
    std::vector<nlohmann::json> events;
    std::vector<uint64_t> event_packets;
    std::vector<std::pair<std::string, uint64_t>> anomalies;  // name, context pcap_cnt
    std::vector<uint64_t> anomaly_packets;

private:
    Protocol expected_;
};

// One message of a scripted conversation.
struct Msg {
    Direction dir;
    std::span<const uint8_t> bytes;
};

// Feeds a conversation to a fresh session made by `make`, with each message cut into pieces of
// at most `piece` bytes (0: whole messages), one packet number per message, then ends the flow.
template <typename MakeSession>
void feed(RecordingSink& sink, MakeSession&& make, std::span<const Msg> msgs, size_t piece = 0)
{
    auto session = make(sink);
    uint64_t pkt = 0;
    for (const auto& m : msgs) {
        const PacketCtx ctx{++pkt, 0};
        const size_t step = piece == 0 ? m.bytes.size() : piece;
        for (size_t off = 0; off < m.bytes.size(); off += step)
            session->on_data(m.dir, m.bytes.subspan(off, std::min(step, m.bytes.size() - off)), ctx);
    }
    session->on_end(PacketCtx{++pkt, 0});
}

}  // namespace otsentry::dissect::testing
