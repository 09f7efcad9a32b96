// The integer comparator grammar: every form, its matching, and every error message.
#include <gtest/gtest.h>

#include "dissectors/common/field_catalog.h"
#include "rules/compare.h"

namespace otsentry::rules {
namespace {

const IntLimit u16{"modbus.address", 16};
const IntLimit u64{"x", 64};

IntMatch ok(std::string_view text, const IntLimit& lim = u16)
{
    std::string error;
    auto m = parse_int_match(text, lim, error);
    EXPECT_TRUE(m.has_value()) << text << ": " << error;
    return m.value_or(IntMatch{});
}

std::string err(std::string_view text, const IntLimit& lim = u16)
{
    std::string error;
    EXPECT_FALSE(parse_int_match(text, lim, error).has_value()) << text;
    return error;
}

TEST(Compare, PlainDecimalAndHex)
{
    auto m = ok("5");
    EXPECT_EQ(m.op, CmpOp::Eq);
    EXPECT_EQ(m.a, 5u);
    EXPECT_TRUE(m.matches(5));
    EXPECT_FALSE(m.matches(6));
    m = ok("0x1F");
    EXPECT_EQ(m.a, 0x1Fu);
    m = ok("0X1f");
    EXPECT_EQ(m.a, 0x1Fu);
    m = ok("  =7 ");
    EXPECT_EQ(m.op, CmpOp::Eq);
    EXPECT_EQ(m.a, 7u);
}

TEST(Compare, NotEqual)
{
    for (const char* t : {"!5", "!=5", "! 5", "!= 5"}) {
        auto m = ok(t);
        EXPECT_EQ(m.op, CmpOp::Ne) << t;
        EXPECT_FALSE(m.matches(5)) << t;
        EXPECT_TRUE(m.matches(4)) << t;
    }
}

TEST(Compare, Relational)
{
    auto lt = ok("<5");
    EXPECT_TRUE(lt.matches(4));
    EXPECT_FALSE(lt.matches(5));
    auto gt = ok(">5");
    EXPECT_TRUE(gt.matches(6));
    EXPECT_FALSE(gt.matches(5));
    auto le = ok("<=5");
    EXPECT_TRUE(le.matches(5));
    EXPECT_FALSE(le.matches(6));
    auto ge = ok(">= 5");
    EXPECT_TRUE(ge.matches(5));
    EXPECT_FALSE(ge.matches(4));
    EXPECT_EQ(ok("<=5").op, CmpOp::Le);
    EXPECT_EQ(ok(">=5").op, CmpOp::Ge);
}

TEST(Compare, InclusiveRange)
{
    auto m = ok("5-10");
    EXPECT_EQ(m.op, CmpOp::Range);
    EXPECT_FALSE(m.matches(4));
    EXPECT_TRUE(m.matches(5));
    EXPECT_TRUE(m.matches(10));
    EXPECT_FALSE(m.matches(11));
    EXPECT_TRUE(ok("7-7").matches(7));
    EXPECT_TRUE(ok("0x10 - 0x20").matches(0x18));
}

TEST(Compare, ExclusiveRange)
{
    auto m = ok("5<>10");
    EXPECT_EQ(m.op, CmpOp::RangeExclusive);
    EXPECT_FALSE(m.matches(5));
    EXPECT_TRUE(m.matches(6));
    EXPECT_TRUE(m.matches(9));
    EXPECT_FALSE(m.matches(10));
}

TEST(Compare, Mask)
{
    auto m = ok("&0x80");
    EXPECT_EQ(m.op, CmpOp::MaskAny);
    EXPECT_TRUE(m.matches(0x81));
    EXPECT_FALSE(m.matches(0x7F));
}

TEST(Compare, Lists)
{
    for (const char* t : {"5,7,9", "[5,7,9]", "[ 5 , 7 , 9 ]"}) {
        auto m = ok(t);
        EXPECT_EQ(m.op, CmpOp::AnyOf) << t;
        EXPECT_EQ(m.list, (std::vector<uint64_t>{5, 7, 9})) << t;
        EXPECT_TRUE(m.matches(7)) << t;
        EXPECT_FALSE(m.matches(6)) << t;
    }
    EXPECT_TRUE(ok("[3]").matches(3));
}

TEST(Compare, NegatedRangeAndList)
{
    auto r = ok("!5-10");
    EXPECT_TRUE(r.negated);
    EXPECT_TRUE(r.matches(4));
    EXPECT_FALSE(r.matches(7));
    auto l = ok("!5,7");
    EXPECT_TRUE(l.negated);
    EXPECT_FALSE(l.matches(5));
    EXPECT_TRUE(l.matches(6));
    auto b = ok("![5,7]");
    EXPECT_FALSE(b.matches(7));
    auto x = ok("!5<>10");
    EXPECT_TRUE(x.matches(5));
    EXPECT_FALSE(x.matches(6));
}

TEST(Compare, WidthChecks)
{
    EXPECT_EQ(err("70000"), "value 70000 does not fit modbus.address (16 bits)");
    EXPECT_EQ(ok("65535").a, 65535u);
    EXPECT_EQ(err("<0x10000"), "value 0x10000 does not fit modbus.address (16 bits)");
    EXPECT_EQ(err("1,2,70000"), "value 70000 does not fit modbus.address (16 bits)");
    EXPECT_EQ(err("99999999999999999999999", u64), "value 99999999999999999999999 does not fit x (64 bits)");
    EXPECT_EQ(ok("18446744073709551615", u64).a, UINT64_MAX);
}

TEST(Compare, ErrorMessages)
{
    EXPECT_EQ(err("<"), "expected a number after '<'");
    EXPECT_EQ(err(">="), "expected a number after '>='");
    EXPECT_EQ(err("!="), "expected a number after '!='");
    EXPECT_EQ(err("!"), "expected a number after '!'");
    EXPECT_EQ(err("5-"), "expected a number after '-'");
    EXPECT_EQ(err("5<>"), "expected a number after '<>'");
    EXPECT_EQ(err("10-5"), "range 10-5 is empty");
    EXPECT_EQ(err("5<>6"), "range 5<>6 is empty");
    EXPECT_EQ(err("abc"), "'abc' is not a number");
    EXPECT_EQ(err("0xZZ"), "'0xZZ' is not a number");
    EXPECT_EQ(err("-5"), "'-5' is not a number");
    EXPECT_EQ(err(""), "empty comparison for modbus.address");
    EXPECT_EQ(err("[]"), "empty list");
    EXPECT_EQ(err("[1,2"), "missing ']' in list");
    EXPECT_EQ(err("1,,2"), "empty value in list");
    EXPECT_EQ(err("&0"), "mask &0 matches nothing");
    EXPECT_EQ(err("!<5"), "'!' cannot be combined with '<'");
}

TEST(Compare, ListLimit)
{
    std::string many;
    for (size_t i = 0; i <= max_list_values; ++i)
        many += (i ? "," : "") + std::to_string(i);
    EXPECT_EQ(err(many), "list has more than 256 values");
}

TEST(Compare, FieldLimits)
{
    EXPECT_EQ(bits_of(dissect::FieldType::U8), 8u);
    EXPECT_EQ(bits_of(dissect::FieldType::U32), 32u);
    EXPECT_EQ(bits_of(dissect::FieldType::Bytes), 0u);
    const auto* f = dissect::find_field("modbus.unit");
    ASSERT_NE(f, nullptr);
    const IntLimit lim = limit_of(*f);
    EXPECT_EQ(lim.bits, 8u);
    EXPECT_EQ(lim.max(), 255u);
    EXPECT_EQ(err("256", lim), "value 256 does not fit modbus.unit (8 bits)");
}

TEST(Compare, ParseNumber)
{
    std::string e;
    EXPECT_EQ(parse_number(" 0x10 ", u16, e), 16u);
    EXPECT_FALSE(parse_number("", u16, e, "<"));
    EXPECT_EQ(e, "expected a number after '<'");
    EXPECT_FALSE(parse_number("", u16, e));
    EXPECT_EQ(e, "expected a number");
    EXPECT_FALSE(parse_number("0x", u16, e));
    EXPECT_EQ(e, "'0x' is not a number");
}

TEST(IntMatchTest, NegatedFlagInvertsEveryOp)
{
    IntMatch m;
    m.op = CmpOp::Ge;
    m.a = 10;
    m.negated = true;
    EXPECT_TRUE(m.matches(9));
    EXPECT_FALSE(m.matches(10));
}

TEST(Severity, PriorityThenClasstypeThenDefault)
{
    Rule r;
    EXPECT_EQ(severity_of(r, 0), 3);
    EXPECT_EQ(severity_of(r, 2), 2);
    r.priority = 1;
    EXPECT_EQ(severity_of(r, 2), 1);
}

}  // namespace
}  // namespace otsentry::rules
