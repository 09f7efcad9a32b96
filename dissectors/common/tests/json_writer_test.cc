#include "dissectors/common/json_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace otsentry::dissect {
namespace {

TEST(JsonWriter, NestedObjectsAndArrays)
{
    std::string out;
    JsonWriter w{out};
    w.begin_object().field("a", uint64_t{1}).key("b").begin_array().value(2).value("x").end_array();
    w.key("c").begin_object().field("d", true).end_object().key("e").null().end_object();
    EXPECT_EQ(out, R"({"a":1,"b":[2,"x"],"c":{"d":true},"e":null})");
    EXPECT_EQ(w.depth(), 0u);
}

TEST(JsonWriter, EscapesControlQuotesAndInvalidUtf8)
{
    std::string out;
    JsonWriter w{out};
    w.value(std::string_view{"q\"\\\n\x01\xff\xc3\xa9", 8});
    EXPECT_EQ(out, "\"q\\\"\\\\\\n\\u0001\\u00ff\xc3\xa9\"");
    EXPECT_TRUE(nlohmann::json::accept(out));
}

TEST(JsonWriter, HexAndNegativeNumbers)
{
    std::string out;
    JsonWriter w{out};
    const uint8_t b[] = {0x00, 0xab, 0x10};
    w.begin_array().hex(b).value(int64_t{-5}).value(0.5).end_array();
    EXPECT_EQ(out, R"(["00ab10",-5,0.5])");
}

TEST(JsonWriter, DeepNestingStaysInBounds)
{
    std::string out;
    JsonWriter w{out};
    for (int i = 0; i < 100; ++i)
        w.begin_array();
    w.value(1);
    for (int i = 0; i < 100; ++i)
        w.end_array();
    EXPECT_EQ(w.depth(), 0u);
    EXPECT_EQ(out, std::string(100, '[') + "1" + std::string(100, ']'));
}

TEST(JsonWriter, CommasBetweenKeysAndNumbers)
{
    std::string out;
    JsonWriter w{out};
    w.begin_object().field("a", uint64_t{1}).field("b", uint64_t{22}).key("c").begin_array();
    w.value(uint64_t{3}).value(uint64_t{4}).end_array().end_object();
    EXPECT_EQ(out, R"({"a":1,"b":22,"c":[3,4]})");
}

TEST(JsonWriter, TruncatedUtf8SequenceIsEscaped)
{
    std::string out;
    append_json_escaped(out, std::string_view{"\xe2\x82", 2});
    EXPECT_EQ(out, "\\u00e2\\u0082");
}

TEST(JsonWriter, NumbersAtEveryDigitBoundary)
{
    std::string out;
    JsonWriter w{out};
    w.begin_array();
    uint64_t v = 1;
    std::string expect = "[0";
    w.value(uint64_t{0});
    for (int i = 0; i < 19; ++i, v *= 10) {
        for (uint64_t x : {v - 1, v, v + 1}) {
            if (x == 0) continue;
            w.value(x);
            expect += "," + std::to_string(x);
        }
    }
    w.value(UINT64_MAX).value(INT64_MIN).value(int64_t{-1}).value(INT64_MAX);
    expect +=
        "," + std::to_string(UINT64_MAX) + ",-9223372036854775808,-1," + std::to_string(INT64_MAX) + "]";
    w.end_array();
    EXPECT_EQ(out, expect);
}

TEST(JsonWriter, LongOutputSpillsThroughTheBuffer)
{
    std::string out;
    JsonWriter w{out};
    nlohmann::json expect = nlohmann::json::array();
    w.begin_array();
    for (uint64_t i = 0; i < 5000; ++i) {
        w.begin_object().field("k", i).key("name").name("read_coils").end_object();
        expect.push_back({{"k", i}, {"name", "read_coils"}});
    }
    w.end_array();
    EXPECT_EQ(nlohmann::json::parse(out), expect);
}

TEST(JsonWriter, TextIsVisibleWhenTheTopLevelValueCloses)
{
    std::string out;
    {
        JsonWriter w{out};
        w.begin_object().field("a", uint64_t{1});
        EXPECT_EQ(out, "");  // still buffered
        w.flush();
        EXPECT_EQ(out, R"({"a":1)");
        w.key("b").value("x\"y").end_object();
        EXPECT_EQ(out, R"({"a":1,"b":"x\"y"})");
        w.begin_object().field("c", true);
    }
    EXPECT_EQ(out, R"({"a":1,"b":"x\"y"}{"c":true)");  // the destructor flushes
}

TEST(JsonWriter, NamesAreQuotedAsGiven)
{
    std::string out;
    JsonWriter w{out};
    w.begin_object().field("ip", std::string_view{"10.0.0.1"}).key("n").name("modbus").key("e").name("");
    w.end_object();
    EXPECT_EQ(out, R"({"ip":"10.0.0.1","n":"modbus","e":""})");
}

TEST(JsonWriter, Be16Arrays)
{
    std::string out;
    JsonWriter w{out};
    std::vector<uint8_t> regs;
    nlohmann::json expect = nlohmann::json::array();
    for (unsigned i = 0; i < 300; ++i) {  // longer than one run of the buffer
        const unsigned v = (i * 2654435761u) & 0xffff;
        regs.push_back(static_cast<uint8_t>(v >> 8));
        regs.push_back(static_cast<uint8_t>(v));
        expect.push_back(v);
    }
    regs.push_back(0xff);  // odd byte: ignored
    w.begin_object().key("a").be16_array(regs).key("b").be16_array({}).field("c", 1).end_object();
    EXPECT_EQ(nlohmann::json::parse(out),
              (nlohmann::json{{"a", expect}, {"b", nlohmann::json::array()}, {"c", 1}}));
}

TEST(JsonWriter, Be16ArrayWritesEverySixteenBitValue)
{
    std::string out;
    JsonWriter w{out};
    std::vector<uint8_t> regs;
    std::string expect = "[";
    for (unsigned v = 0; v <= 0xffff; ++v) {
        regs.push_back(static_cast<uint8_t>(v >> 8));
        regs.push_back(static_cast<uint8_t>(v));
        expect += (v == 0 ? "" : ",") + std::to_string(v);
    }
    w.be16_array(regs);
    EXPECT_EQ(out, expect + "]");
}

TEST(JsonWriter, KeysAndNamesOfEveryLength)
{
    // Short keys and names are copied in fixed-size moves, long names go straight to the string
    // (a 2000-coil string): every length must come out whole.
    for (size_t n = 0; n <= 700; ++n) {
        std::string text(n, 'a');
        for (size_t i = 0; i < n; ++i)
            text[i] = static_cast<char>('a' + i % 26);
        std::string out;
        {
            JsonWriter w{out};
            w.begin_object().field("x", 1).key(std::string_view{text}.substr(0, std::min<size_t>(n, 64)));
            w.name(text).key("y").name(text).end_object();
        }
        const std::string k = text.substr(0, std::min<size_t>(n, 64));
        EXPECT_EQ(out, R"({"x":1,")" + k + R"(":")" + text + R"(","y":")" + text + R"("})") << n;
    }
}

TEST(JsonWriter, MembersWrittenByHandTakeTheirPlace)
{
    // Short runs go through the buffer, runs of buf_size bytes or more straight to the string;
    // either way the writer adds the comma before the run and after it, never inside it.
    for (const size_t filler : {size_t{3}, size_t{2000}}) {
        const std::string name(filler, 'n');
        std::string out;
        JsonWriter w{out};
        w.begin_object().field("a", 1u);
        char* p = w.begin_members(16 + name.size());
        const std::string run = R"("b":2,"c":")" + name + R"(")";
        std::memcpy(p, run.data(), run.size());
        w.end_members(p + run.size());
        w.field("d", uint16_t{4}).end_object();
        EXPECT_EQ(out, R"({"a":1,)" + run + R"(,"d":4})") << filler;

        out.clear();
        w.begin_object();
        p = w.begin_members(16 + name.size());
        std::memcpy(p, run.data(), run.size());
        w.end_members(p + run.size()).end_object();
        EXPECT_EQ(out, "{" + run + "}") << filler;
    }
}

TEST(JsonWriter, FieldsOfEveryKind)
{
    std::string out;
    JsonWriter w{out};
    w.begin_object().field("u8", uint8_t{255}).field("u16", uint16_t{65535}).field("u32", 4294967295u);
    w.field("u64", UINT64_MAX).field("i", -3).field("b", true).field("s", "x\"y");
    w.name_field("n", "read_coils").name_field(std::string(70, 'k'), std::string(200, 'v'));
    w.key("o").begin_object().field("z", uint64_t{0}).end_object().end_object();
    EXPECT_EQ(out, R"({"u8":255,"u16":65535,"u32":4294967295,"u64":18446744073709551615,"i":-3,"b":true,)"
                   R"("s":"x\"y","n":"read_coils",")" +
                       std::string(70, 'k') + R"(":")" + std::string(200, 'v') + R"(","o":{"z":0}})");
}

TEST(JsonWriter, Put16WritesEveryValue)
{
    char buf[8];
    for (unsigned v = 0; v <= 0xffff; ++v) {
        char* end = JsonWriter::put_u16(buf, v);
        ASSERT_EQ(std::string(buf, end), std::to_string(v));
    }
}

TEST(JsonWriter, StringValuesOfEveryLengthAndByte)
{
    // Plain strings take the copy path, the rest the escaping one: the text is the same.
    for (size_t n = 0; n <= 300; n += 7) {
        for (const int odd : {-1, int{'"'}, int{'\\'}, 0x1f, 0x7f, 0xc3, 0xff}) {
            std::string s(n, 'a');
            for (size_t i = 0; i < n; ++i)
                s[i] = static_cast<char>(' ' + 1 + i % 90);  // printable, no quote or backslash
            for (char& c : s)
                if (c == '"' || c == '\\') c = 'x';
            if (odd >= 0 && n > 0) s[n / 2] = static_cast<char>(odd);
            std::string expect = "[\"";
            append_json_escaped(expect, s);
            expect += "\",1]";
            std::string out;
            JsonWriter w{out};
            w.begin_array().value(std::string_view{s}).value(1).end_array();
            EXPECT_EQ(out, expect) << n << " " << odd;
            EXPECT_TRUE(nlohmann::json::accept(out));
        }
    }
}

}  // namespace
}  // namespace otsentry::dissect
