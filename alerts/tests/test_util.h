// Helpers shared by the store tests: a raw SQLite connection (for building databases the way an
// older otsentry left them, and for checking what is stored), and record factories.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "alerts/record.h"

namespace otsentry::alerts::test {

class RawDb {
public:
    explicit RawDb(const std::string& path)
    {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
    }
    ~RawDb() { sqlite3_close(db_); }
    RawDb(const RawDb&) = delete;
    RawDb& operator=(const RawDb&) = delete;

    void exec(const std::string& sql)
    {
        char* msg = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK)
            ADD_FAILURE() << sql << ": " << (msg ? msg : "?");
        sqlite3_free(msg);
    }
    [[nodiscard]] sqlite3* get() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

// The first column of the first row as text ("" for none or NULL).
inline std::string query_text(sqlite3* db, const std::string& sql)
{
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return out;
}

inline int64_t query_int(sqlite3* db, const std::string& sql)
{
    const std::string v = query_text(db, sql);
    return v.empty() ? 0 : std::stoll(v);
}

// Every row's first column, in order.
inline std::vector<std::string> query_column(sqlite3* db, const std::string& sql)
{
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    std::vector<std::string> out;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const auto* p = sqlite3_column_text(s, 0);
        out.emplace_back(p ? reinterpret_cast<const char*>(p) : "");
    }
    sqlite3_finalize(s);
    return out;
}

inline Record make_event(int64_t ts_us, const std::string& app_proto = "modbus")
{
    Record r;
    r.kind = RecordKind::Event;
    r.ts_us = ts_us;
    r.flow_id = 42;
    r.src_ip = "10.0.0.1";
    r.dest_ip = "10.0.0.2";
    r.src_port = 50000;
    r.dest_port = 502;
    r.proto = "TCP";
    r.app_proto = app_proto;
    r.pcap_cnt = 7;
    r.eve_json = R"({"event_type":")" + app_proto + R"("})";
    return r;
}

inline Record make_alert(int64_t ts_us, uint32_t sid, uint64_t flow_id = 42, uint8_t severity = 2)
{
    Record r = make_event(ts_us, "modbus");
    r.kind = RecordKind::Alert;
    r.flow_id = flow_id;
    r.gid = 1;
    r.sid = sid;
    r.rev = 1;
    r.signature = "sig " + std::to_string(sid);
    r.category = "Attempted Administrator Privilege Gain";
    r.severity = severity;
    r.eve_json =
        R"({"event_type":"alert","sid":)" + std::to_string(sid) + R"(,"ts":)" + std::to_string(ts_us) + "}";
    return r;
}

// A classic little-endian microsecond pcap (LINKTYPE_ETHERNET) of `packets` frames of
// `frame_len` bytes each; frame i is filled with the byte i.
inline std::string make_pcap(int packets, uint32_t frame_len)
{
    std::string out;
    const auto u32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i)
            out += static_cast<char>((v >> (8 * i)) & 0xff);
    };
    const auto u16 = [&](uint16_t v) {
        out += static_cast<char>(v & 0xff);
        out += static_cast<char>(v >> 8);
    };
    u32(0xa1b2c3d4);
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(65535);
    u32(1);
    for (int i = 0; i < packets; ++i) {
        u32(1'700'000'000 + static_cast<uint32_t>(i));
        u32(0);
        u32(frame_len);
        u32(frame_len);
        out.append(frame_len, static_cast<char>(i));
    }
    return out;
}

}  // namespace otsentry::alerts::test
