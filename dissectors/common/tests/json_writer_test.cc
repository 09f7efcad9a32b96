#include "dissectors/common/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace otsentry::dissect
