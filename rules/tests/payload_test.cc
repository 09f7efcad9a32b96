#include "rules/payload.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace otsentry::rules {
namespace {

std::span<const uint8_t> as_bytes(std::string_view s)
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// ---- builders: the AST structs by hand, no parser -----------------------------------------------

struct Ct {
    Content c;
    explicit Ct(std::string bytes) { c.bytes = std::move(bytes); }
    Ct& offset(int32_t v) { return c.offset = v, *this; }
    Ct& depth(int32_t v) { return c.depth = v, *this; }
    Ct& distance(int32_t v) { return c.distance = v, *this; }
    Ct& within(int32_t v) { return c.within = v, *this; }
    Ct& nocase() { return c.nocase = true, *this; }
    Ct& negated() { return c.negated = true, *this; }
    Ct& startswith() { return c.startswith = true, *this; }
    Ct& endswith() { return c.endswith = true, *this; }
    Ct& on(const dissect::FieldDesc* f) { return c.buffer.field = f, *this; }
    operator PayloadOp() const { return c; }  // NOLINT(google-explicit-constructor)
};

PayloadOp pcre(std::string pattern, std::string flags = "", bool negated = false)
{
    Pcre p;
    p.pattern = std::move(pattern);
    p.relative = flags.find('R') != std::string::npos;
    p.flags = std::move(flags);
    p.negated = negated;
    return p;
}

ByteTest bt(uint8_t nbytes, ByteTest::Op op, uint64_t value, int32_t offset)
{
    ByteTest t;
    t.nbytes = nbytes;
    t.op = op;
    t.value = value;
    t.offset = offset;
    return t;
}

ByteJump bj(uint8_t nbytes, int32_t offset)
{
    ByteJump j;
    j.nbytes = nbytes;
    j.offset = offset;
    return j;
}

IsDataAt isdataat(int32_t offset, bool relative = false, bool negated = false)
{
    IsDataAt d;
    d.offset = offset;
    d.relative = relative;
    d.negated = negated;
    return d;
}

PayloadProgram compile_ok(const std::vector<PayloadOp>& ops)
{
    std::string error;
    auto p = PayloadProgram::compile(ops, error);
    EXPECT_TRUE(p.has_value()) << error;
    if (!p) std::abort();
    return std::move(*p);
}

std::string compile_error(const std::vector<PayloadOp>& ops)
{
    std::string error;
    EXPECT_FALSE(PayloadProgram::compile(ops, error).has_value());
    return error;
}

bool matches(const std::vector<PayloadOp>& ops, std::span<const uint8_t> payload)
{
    MatchScratch scratch;
    return compile_ok(ops).match(Buffers{payload}, scratch);
}

bool matches(const std::vector<PayloadOp>& ops, std::string_view payload)
{
    return matches(ops, as_bytes(payload));
}

// ---- content: offset / depth ---------------------------------------------------------------------

TEST(Content, AnywhereWithoutModifiers)
{
    EXPECT_TRUE(matches({Ct("cd")}, "abcdef"));
    EXPECT_FALSE(matches({Ct("cx")}, "abcdef"));
}

TEST(Content, OffsetLowerEdge)
{
    EXPECT_TRUE(matches({Ct("cd").offset(2)}, "abcdef"));
    EXPECT_FALSE(matches({Ct("cd").offset(3)}, "abcdef"));
}

TEST(Content, DepthUpperEdge)
{
    EXPECT_TRUE(matches({Ct("cd").depth(4)}, "abcdef"));  // bytes 0..3 hold "cd" at 2..3
    EXPECT_FALSE(matches({Ct("cd").depth(3)}, "abcdef"));
}

TEST(Content, DepthCountsFromOffset)
{
    // Suricata's example: content:"def"; offset:3; depth:3; checks bytes 3..5.
    EXPECT_TRUE(matches({Ct("def").offset(3).depth(3)}, "abcdefg"));
    EXPECT_FALSE(matches({Ct("def").offset(2).depth(3)}, "abcdefg"));
    EXPECT_FALSE(matches({Ct("def").offset(4).depth(3)}, "abcdefg"));
}

TEST(Content, OffsetPastEndOfBuffer)
{
    EXPECT_FALSE(matches({Ct("a").offset(10)}, "aaaa"));
    EXPECT_TRUE(matches({Ct("a").offset(10).negated()}, "aaaa"));
}

TEST(Content, LongerThanBuffer)
{
    EXPECT_FALSE(matches({Ct("abcdefgh")}, "abc"));
}

TEST(Content, BinaryBytes)
{
    constexpr uint8_t frame[] = {
        0x00, 0x01,  // transaction id
        0x00, 0x00,  // protocol id
        0x00, 0x06,  // length
        0xff,        // unit id
        0x05,        // function: write single coil
    };
    EXPECT_TRUE(matches({Ct(std::string("\x00\x00\x00\x06\xff", 5)).offset(2).depth(5)}, frame));
    EXPECT_FALSE(matches({Ct(std::string("\x00\x00\x00\x06\xff", 5)).offset(3)}, frame));
}

// ---- content: distance / within ------------------------------------------------------------------

TEST(Content, DistanceZeroFollowsPreviousMatch)
{
    EXPECT_TRUE(matches({Ct("ab"), Ct("cd").distance(0)}, "abcd"));
    EXPECT_FALSE(matches({Ct("ab"), Ct("cd").distance(0)}, "cdab"));
}

TEST(Content, DistanceLowerEdge)
{
    EXPECT_TRUE(matches({Ct("ab"), Ct("cd").distance(2)}, "abxxcd"));
    EXPECT_FALSE(matches({Ct("ab"), Ct("cd").distance(3)}, "abxxcd"));
}

TEST(Content, WithinUpperEdge)
{
    EXPECT_TRUE(matches({Ct("ab"), Ct("cd").within(4)}, "abxxcd"));
    EXPECT_FALSE(matches({Ct("ab"), Ct("cd").within(3)}, "abxxcd"));
}

TEST(Content, DistanceAndWithinWindow)
{
    // Window after "ab" (cursor 2): [2 + 1, 2 + 1 + 3) = [3, 6).
    EXPECT_TRUE(matches({Ct("ab"), Ct("cd").distance(1).within(3)}, "abxcdx"));
    EXPECT_TRUE(matches({Ct("ab"), Ct("cd").distance(1).within(3)}, "abxxcd"));
    EXPECT_FALSE(matches({Ct("ab"), Ct("cd").distance(1).within(3)}, "abcdxx"));
    EXPECT_FALSE(matches({Ct("ab"), Ct("cd").distance(1).within(3)}, "abxxxcd"));
}

TEST(Content, NegativeDistanceLooksBack)
{
    // "abc" ends at 3; distance -2 within 1 is byte 1.
    EXPECT_TRUE(matches({Ct("abc"), Ct("b").distance(-2).within(1)}, "abc"));
    EXPECT_FALSE(matches({Ct("abc"), Ct("a").distance(-2).within(1)}, "abc"));
}

TEST(Content, NegativeDistanceClampedAtBufferStart)
{
    // Cursor 2, distance -5: the start clamps to 0, the end keeps 2 - 5 + within.
    EXPECT_TRUE(matches({Ct("ab"), Ct("a").distance(-5).within(4)}, "ab"));   // window [0, 1)
    EXPECT_FALSE(matches({Ct("ab"), Ct("a").distance(-5).within(3)}, "ab"));  // window [0, 0)
    EXPECT_TRUE(matches({Ct("ab"), Ct("ab").distance(-5)}, "ab"));            // to the end
}

TEST(Content, SuricataNegatedNegativeDistanceExample)
{
    // Suricata "Payload Keywords": content:"Firefox/3."; distance:0; content:!"Firefox/3.6.13";
    // distance:-10; alerts unless the version is 3.6.13.
    const std::vector<PayloadOp> ops = {Ct("User-Agent: "), Ct("Firefox/3.").distance(0),
                                        Ct("Firefox/3.6.13").distance(-10).negated()};
    EXPECT_TRUE(matches(ops, "User-Agent: Mozilla Firefox/3.5.1\r\n"));
    EXPECT_FALSE(matches(ops, "User-Agent: Mozilla Firefox/3.6.13\r\n"));
}

TEST(Content, RelativeWithoutPreviousMatchStartsAtZero)
{
    EXPECT_TRUE(matches({Ct("ab").distance(0).within(2)}, "abc"));
    EXPECT_FALSE(matches({Ct("ab").distance(0).within(2)}, "xab"));
}

TEST(Content, AbsoluteContentAfterRelativeMovesCursor)
{
    // "cd" at 6 (absolute) then "e" right after it.
    EXPECT_TRUE(matches({Ct("ab"), Ct("cd").offset(4), Ct("e").distance(0).within(1)}, "abcdxxcde"));
}

// ---- content: backtracking -----------------------------------------------------------------------

TEST(Backtracking, RetriesFirstContentAtNextOccurrence)
{
    // The first "ab" is not followed by "cd"; the second is.
    EXPECT_TRUE(matches({Ct("ab"), Ct("cd").distance(0).within(2)}, "abxxabcd"));
    EXPECT_FALSE(matches({Ct("ab"), Ct("cd").distance(0).within(2)}, "abxxabxcd"));
}

TEST(Backtracking, ChainOfThreeRetriesMiddle)
{
    // a@0, b@1 -> c must be at 2 ('x'); retrying b finds b@3 and c@4.
    const std::vector<PayloadOp> ops = {Ct("a"), Ct("b").distance(0).within(5),
                                        Ct("c").distance(0).within(1)};
    EXPECT_TRUE(matches(ops, "abxbc"));
    EXPECT_FALSE(matches(ops, "abxbxc"));
}

TEST(Backtracking, ChainOfThreeRetriesFirst)
{
    // Only the third "x" starts a full x, y, z chain.
    const std::vector<PayloadOp> ops = {Ct("x"), Ct("y").distance(0).within(1),
                                        Ct("z").distance(0).within(1)};
    EXPECT_TRUE(matches(ops, "xy.xy.xyz"));
    EXPECT_FALSE(matches(ops, "xy.xy.xy.z"));
}

TEST(Backtracking, OverlappingOccurrences)
{
    // "aa" occurs at 0, 1, 2; only the one at 2 is followed by "b".
    EXPECT_TRUE(matches({Ct("aa"), Ct("b").distance(0).within(1)}, "aaaab"));
}

TEST(Backtracking, BudgetBoundsTheWork)
{
    // Every "a" is a candidate; the only good one is the last. Past the budget: no match, counted.
    const std::vector<PayloadOp> ops = {Ct("a"), Ct("b").distance(0).within(1)};
    const PayloadProgram prog = compile_ok(ops);
    const std::string near = std::string(max_payload_retries, 'a') + "b";
    const std::string far = std::string(max_payload_retries + 2, 'a') + "b";
    MatchScratch scratch;
    EXPECT_TRUE(prog.match(Buffers{as_bytes(near)}, scratch));
    EXPECT_EQ(scratch.stats().backtrack_limit_hits, 0u);
    EXPECT_FALSE(prog.match(Buffers{as_bytes(far)}, scratch));
    EXPECT_EQ(scratch.stats().backtrack_limit_hits, 1u);
}

TEST(Backtracking, NotNeededForIndependentOptions)
{
    // No later option reads the cursor "a" sets: the first occurrence decides, no retries.
    const std::vector<PayloadOp> ops = {Ct("a"), Ct("zzz").offset(0)};
    const std::string data = std::string(5000, 'a');
    MatchScratch scratch;
    EXPECT_FALSE(compile_ok(ops).match(Buffers{as_bytes(data)}, scratch));
    EXPECT_EQ(scratch.stats().backtrack_limit_hits, 0u);
}

// ---- content: negation ---------------------------------------------------------------------------

TEST(Negation, AbsoluteNegatedContent)
{
    EXPECT_TRUE(matches({Ct("evil").negated()}, "good"));
    EXPECT_FALSE(matches({Ct("evil").negated()}, "so evil"));
}

TEST(Negation, NegatedContentInWindow)
{
    // !"bar" within 5 after "foo": window [3, 8).
    const std::vector<PayloadOp> ops = {Ct("foo"), Ct("bar").distance(0).within(5).negated()};
    EXPECT_FALSE(matches(ops, "foo12bar"));   // bar at 5..7: inside
    EXPECT_TRUE(matches(ops, "foo123bar"));   // bar at 6..8: crosses the window end
    EXPECT_TRUE(matches(ops, "foo1234bar"));  // outside
}

TEST(Negation, NegatedContentDoesNotMoveCursor)
{
    // "cd" is relative to "ab", not to the negated "zz".
    EXPECT_TRUE(matches({Ct("ab"), Ct("zz").negated(), Ct("cd").distance(0).within(2)}, "abcd"));
    EXPECT_TRUE(matches({Ct("ab"), Ct("xy").distance(5).within(2).negated(), Ct("cd").distance(0).within(2)},
                        "abcd"));
}

TEST(Negation, FailingNegatedContentRetriesEarlierContent)
{
    const std::vector<PayloadOp> ops = {Ct("foo"), Ct("bar").distance(0).within(3).negated()};
    EXPECT_TRUE(matches(ops, "foobar foobaz"));
    EXPECT_FALSE(matches(ops, "foobar foobar"));
}

TEST(Negation, EmptyBuffer)
{
    EXPECT_TRUE(matches({Ct("a").negated()}, ""));
    EXPECT_FALSE(matches({Ct("a")}, ""));
}

// ---- content: nocase, startswith, endswith ---------------------------------------------------------

TEST(Content, Nocase)
{
    EXPECT_TRUE(matches({Ct("HeLLo").nocase()}, "xxhello"));
    EXPECT_FALSE(matches({Ct("HeLLo")}, "xxhello"));
    EXPECT_TRUE(matches({Ct("hello").nocase().offset(2).depth(5)}, "xxHELLO"));
    EXPECT_FALSE(matches({Ct("hello").nocase().offset(3)}, "xxHELLO"));
}

TEST(Content, NocaseFoldsAsciiOnly)
{
    const uint8_t e0[] = {0xe0};
    EXPECT_FALSE(matches({Ct("\xc0").nocase()}, e0));
    const uint8_t mixed[] = {'A', 0xff, 'z'};
    EXPECT_TRUE(matches({Ct("a\xffZ").nocase()}, mixed));
}

TEST(Content, NocaseLongNeedle)
{
    // Longer than the 255-byte Horspool shift cap.
    std::string needle(300, 'q');
    needle += "END";
    std::string hay = std::string(500, 'Q') + "end";
    EXPECT_TRUE(matches({Ct(needle).nocase()}, hay));
    hay.back() = 'x';
    EXPECT_FALSE(matches({Ct(needle).nocase()}, hay));
}

TEST(Content, Startswith)
{
    EXPECT_TRUE(matches({Ct("GET ").startswith()}, "GET /index"));
    EXPECT_FALSE(matches({Ct("GET ").startswith()}, " GET /index"));
}

TEST(Content, Endswith)
{
    EXPECT_TRUE(matches({Ct(".php").endswith()}, "/a.php"));
    EXPECT_FALSE(matches({Ct(".php").endswith()}, "/a.php?x=1"));
    EXPECT_FALSE(matches({Ct(".php").endswith()}, "php"));
    // The cursor is at the end afterwards: nothing follows.
    EXPECT_TRUE(matches({Ct(".php").endswith(), isdataat(0, true, true)}, "/a.php"));
    EXPECT_TRUE(matches({Ct(".php").endswith().negated()}, "/a.php?x=1"));
    EXPECT_FALSE(matches({Ct(".php").endswith().negated()}, "/b.php"));
}

TEST(Content, EndswithRelative)
{
    EXPECT_TRUE(matches({Ct("/a"), Ct("php").distance(1).endswith()}, "/a.php"));
    EXPECT_FALSE(matches({Ct("/a"), Ct("php").distance(2).endswith()}, "/a.php"));
}

// ---- pcre ------------------------------------------------------------------------------------------

TEST(PcreOption, Absolute)
{
    EXPECT_TRUE(matches({pcre("user=[a-z]+")}, "GET ?user=bob"));
    EXPECT_FALSE(matches({pcre("user=[a-z]+")}, "GET ?user=123"));
}

TEST(PcreOption, RelativeContinuesFromCursor)
{
    EXPECT_TRUE(matches({Ct("user="), pcre("^[a-z]+", "R")}, "x user=bob"));
    EXPECT_FALSE(matches({Ct("user="), pcre("^[a-z]+", "R")}, "x user=123 bob"));
    // Without R, ^ is the buffer start.
    EXPECT_FALSE(matches({Ct("user="), pcre("^[a-z]+")}, "1 user=bob"));
}

TEST(PcreOption, CursorIsTheMatchEnd)
{
    // Greedy \d+ ends after "123", so "bar" is right there.
    EXPECT_TRUE(matches({pcre("foo\\d+"), Ct("bar").distance(0).within(3)}, "foo123bar"));
}

TEST(PcreOption, UngreedyFlagMovesCursorLess)
{
    const std::vector<PayloadOp> lazy = {pcre("xa+", "G"), Ct("a").distance(0).within(1)};
    const std::vector<PayloadOp> greedy = {pcre("xa+"), Ct("a").distance(0).within(1)};
    EXPECT_TRUE(matches(lazy, "xaab"));
    EXPECT_FALSE(matches(greedy, "xaab"));
}

TEST(PcreOption, AnchoredRelativeAnchorsAtCursor)
{
    EXPECT_TRUE(matches({Ct("x"), pcre("y", "AR")}, "xyz"));
    EXPECT_FALSE(matches({Ct("x"), pcre("y", "AR")}, "xzy"));
}

TEST(PcreOption, AnchoredAbsoluteAnchorsAtBufferStart)
{
    EXPECT_FALSE(matches({pcre("b", "A")}, "ab"));
    EXPECT_TRUE(matches({pcre("a", "A")}, "ab"));
}

TEST(PcreOption, CaselessDotallMultilineExtended)
{
    EXPECT_TRUE(matches({pcre("^set\\s+VALUE", "im")}, "hdr\nSET value"));
    EXPECT_TRUE(matches({pcre("a.b", "s")}, "a\nb"));
    EXPECT_TRUE(matches({pcre("a \\d # digits", "x")}, "a7"));
    EXPECT_FALSE(matches({pcre("a$", "E")}, "a\n"));
}

TEST(PcreOption, Negated)
{
    EXPECT_TRUE(matches({pcre("evil", "", true)}, "good"));
    EXPECT_FALSE(matches({pcre("evil", "", true)}, "evil"));
    EXPECT_TRUE(matches({Ct("a"), pcre("^b", "R", true)}, "ac"));
    EXPECT_FALSE(matches({Ct("a"), pcre("^b", "R", true)}, "ab"));
}

TEST(PcreOption, BackReferenceRunsOnPcre2)
{
    const PayloadProgram prog = compile_ok({pcre("(\\w)\\1{2}")});
    EXPECT_TRUE(prog.uses_pcre2());
    MatchScratch scratch;
    EXPECT_TRUE(prog.match(Buffers{as_bytes("abcccd")}, scratch));
    EXPECT_FALSE(prog.match(Buffers{as_bytes("abccd")}, scratch));
}

TEST(PcreOption, LimitHitFailsEvenWhenNegated)
{
    const std::string data = std::string(64, 'a') + "!";
    MatchScratch scratch;
    const PayloadProgram pos = compile_ok({pcre("^(\\w+\\s?)*$")});
    const PayloadProgram neg = compile_ok({pcre("^(\\w+\\s?)*$", "", true)});
    EXPECT_FALSE(pos.match(Buffers{as_bytes(data)}, scratch));
    EXPECT_FALSE(neg.match(Buffers{as_bytes(data)}, scratch));
    EXPECT_EQ(scratch.stats().pcre_limit_hits, 2u);
}

TEST(PcreOption, RetriedLikeContent)
{
    EXPECT_TRUE(matches({pcre("a\\d"), Ct("z").distance(0).within(1)}, "a1xa2z"));
    EXPECT_FALSE(matches({pcre("a\\d"), Ct("z").distance(0).within(1)}, "a1xa2x"));
}

TEST(PcreOption, UnavailableFlagIsACompileError)
{
    EXPECT_NE(compile_error({pcre("a", "U")}).find("flag U not available"), std::string::npos);
}

// ---- byte_test -------------------------------------------------------------------------------------

constexpr uint8_t numbers[] = {
    0x01, 0x02,              // 0: 0x0102 big / 0x0201 little
    0x00, 0x00, 0x01, 0x00,  // 2: 256 as 4 bytes big
    0x12, 0x30,              // 6: bitmask input
    0x0f,                    // 8: one byte, 15
};

bool test_numbers(ByteTest t)
{
    return matches({t}, numbers);
}

TEST(ByteTestOption, Operators)
{
    using Op = ByteTest::Op;
    EXPECT_TRUE(test_numbers(bt(1, Op::Lt, 16, 8)));
    EXPECT_FALSE(test_numbers(bt(1, Op::Lt, 15, 8)));
    EXPECT_TRUE(test_numbers(bt(1, Op::Gt, 14, 8)));
    EXPECT_FALSE(test_numbers(bt(1, Op::Gt, 15, 8)));
    EXPECT_TRUE(test_numbers(bt(1, Op::Le, 15, 8)));
    EXPECT_FALSE(test_numbers(bt(1, Op::Le, 14, 8)));
    EXPECT_TRUE(test_numbers(bt(1, Op::Ge, 15, 8)));
    EXPECT_FALSE(test_numbers(bt(1, Op::Ge, 16, 8)));
    EXPECT_TRUE(test_numbers(bt(1, Op::Eq, 15, 8)));
    EXPECT_FALSE(test_numbers(bt(1, Op::Eq, 14, 8)));
    EXPECT_TRUE(test_numbers(bt(1, Op::And, 0x08, 8)));
    EXPECT_FALSE(test_numbers(bt(1, Op::And, 0x10, 8)));
    EXPECT_TRUE(test_numbers(bt(1, Op::Xor, 0x0e, 8)));
    EXPECT_FALSE(test_numbers(bt(1, Op::Xor, 0x0f, 8)));
}

TEST(ByteTestOption, Negation)
{
    using Op = ByteTest::Op;
    auto t = bt(1, Op::Eq, 15, 8);
    t.negated = true;  // !=
    EXPECT_FALSE(test_numbers(t));
    t.value = 14;
    EXPECT_TRUE(test_numbers(t));
    auto a = bt(1, Op::And, 0x10, 8);
    a.negated = true;  // !&: none of the bits
    EXPECT_TRUE(test_numbers(a));
}

TEST(ByteTestOption, Endianness)
{
    using Op = ByteTest::Op;
    EXPECT_TRUE(test_numbers(bt(2, Op::Eq, 0x0102, 0)));
    auto le = bt(2, Op::Eq, 0x0201, 0);
    le.endian = Endian::Little;
    EXPECT_TRUE(test_numbers(le));
    EXPECT_TRUE(test_numbers(bt(4, Op::Eq, 256, 2)));
    auto le4 = bt(4, Op::Eq, 0x00010000, 2);
    le4.endian = Endian::Little;
    EXPECT_TRUE(test_numbers(le4));
    EXPECT_TRUE(test_numbers(bt(3, Op::Eq, 0x010200, 0)));
}

TEST(ByteTestOption, StringBases)
{
    using Op = ByteTest::Op;
    auto dec = bt(4, Op::Eq, 1337, 0);
    dec.base = NumBase::Dec;
    EXPECT_TRUE(matches({dec}, "1337"));
    auto hex = bt(2, Op::Eq, 255, 0);
    hex.base = NumBase::Hex;
    EXPECT_TRUE(matches({hex}, "ff"));
    EXPECT_TRUE(matches({hex}, "FF"));
    auto hex0x = bt(4, Op::Eq, 31, 0);
    hex0x.base = NumBase::Hex;
    EXPECT_TRUE(matches({hex0x}, "0x1F"));
    auto oct = bt(2, Op::Eq, 15, 0);
    oct.base = NumBase::Oct;
    EXPECT_TRUE(matches({oct}, "17"));
    EXPECT_FALSE(matches({oct}, "18"));  // "1" then a non-octal digit: 1
    auto ten = bt(10, Op::Eq, 4294967296ull, 0);
    ten.base = NumBase::Dec;
    EXPECT_TRUE(matches({ten}, "4294967296"));
}

TEST(ByteTestOption, StringStopsAtFirstNonDigitAndNeedsOne)
{
    using Op = ByteTest::Op;
    auto dec = bt(4, Op::Eq, 12, 0);
    dec.base = NumBase::Dec;
    EXPECT_TRUE(matches({dec}, "12ab"));
    EXPECT_FALSE(matches({dec}, "ab12"));
    dec.negated = true;  // no number at all: fails even negated
    EXPECT_FALSE(matches({dec}, "ab12"));
}

TEST(ByteTestOption, BitmaskShiftsByTrailingZeros)
{
    // 0x1230 & 0x0ff0 = 0x0230, >> 4 = 0x23.
    auto t = bt(2, ByteTest::Op::Eq, 0x23, 6);
    t.bitmask = 0x0ff0;
    EXPECT_TRUE(test_numbers(t));
    t.value = 0x230;
    EXPECT_FALSE(test_numbers(t));
}

TEST(ByteTestOption, RelativeToCursor)
{
    auto t = bt(1, ByteTest::Op::Eq, '5', 1);
    t.relative = true;
    EXPECT_TRUE(matches({Ct("ab"), t}, "xxabx5"));
    EXPECT_FALSE(matches({Ct("ab"), t}, "xxab5x"));
    auto back = bt(1, ByteTest::Op::Eq, 'a', -2);
    back.relative = true;
    EXPECT_TRUE(matches({Ct("ab"), back}, "xxabx5"));
}

TEST(ByteTestOption, MissingBytesFailEvenNegated)
{
    auto t = bt(4, ByteTest::Op::Eq, 0, 7);
    EXPECT_FALSE(test_numbers(t));
    t.negated = true;
    EXPECT_FALSE(test_numbers(t));
    EXPECT_TRUE(test_numbers(bt(2, ByteTest::Op::Eq, 0x300f, 7)));  // the last two bytes
}

TEST(ByteTestOption, ByteCountLimits)
{
    EXPECT_NE(compile_error({bt(9, ByteTest::Op::Eq, 0, 0)}).find("out of range"), std::string::npos);
    auto s = bt(11, ByteTest::Op::Eq, 0, 0);
    s.base = NumBase::Dec;
    EXPECT_NE(compile_error({s}).find("out of range"), std::string::npos);
    EXPECT_NE(compile_error({bt(0, ByteTest::Op::Eq, 0, 0)}).find("out of range"), std::string::npos);
}

// ---- byte_jump -------------------------------------------------------------------------------------

TEST(ByteJumpOption, JumpsFromEndOfBytesRead)
{
    // Read 1 byte (2) at 0, jump 2 from offset 1: cursor 3.
    const uint8_t data[] = {0x02, 'a', 'b', 'X', 'c'};
    EXPECT_TRUE(matches({bj(1, 0), Ct("X").distance(0).within(1)}, data));
    EXPECT_FALSE(matches({bj(1, 0), Ct("c").distance(0).within(1)}, data));
}

TEST(ByteJumpOption, Multiplier)
{
    const uint8_t data[] = {0x02, 'a', 'b', 'c', 'd', 'e', 'f', 'X'};
    auto j = bj(1, 0);
    j.multiplier = 3;
    EXPECT_TRUE(matches({j, Ct("X").distance(0).within(1)}, data));
}

TEST(ByteJumpOption, AlignRoundsUpToFour)
{
    // 5 -> 8: from 1 to 9.
    const uint8_t data[] = {0x05, 1, 2, 3, 4, 5, 6, 7, 8, 'X'};
    auto j = bj(1, 0);
    j.align = true;
    EXPECT_TRUE(matches({j, Ct("X").distance(0).within(1)}, data));
    j.align = false;
    EXPECT_FALSE(matches({j, Ct("X").distance(0).within(1)}, data));
}

TEST(ByteJumpOption, FromBeginning)
{
    const uint8_t data[] = {'a', 'b', 0x04, 'c', 'X'};
    auto j = bj(1, 2);
    j.from_beginning = true;  // 4 from the start, not from 3
    EXPECT_TRUE(matches({j, Ct("X").distance(0).within(1)}, data));
}

TEST(ByteJumpOption, PostOffset)
{
    const uint8_t data[] = {0x02, 'a', 'b', 'X', 'Y'};
    auto j = bj(1, 0);
    j.post_offset = 1;
    EXPECT_TRUE(matches({j, Ct("Y").distance(0).within(1)}, data));
    j.post_offset = -2;
    EXPECT_TRUE(matches({j, Ct("a").distance(0).within(1)}, data));
}

TEST(ByteJumpOption, FromEndWithNoBytes)
{
    // Suricata: byte_jump:0,0,from_end,post_offset -8; content:"|6c 33 33 74|"; distance:0 within:4;
    const std::string data = "header..l33tXXXX";
    ByteJump j = bj(0, 0);
    j.from_end = true;
    j.post_offset = -8;
    EXPECT_TRUE(matches({j, Ct("l33t").distance(0).within(4)}, data));
    j.post_offset = -7;
    EXPECT_FALSE(matches({j, Ct("l33t").distance(0).within(4)}, data));
}

TEST(ByteJumpOption, OutOfBufferFailsAndEndIsAllowed)
{
    const uint8_t data[] = {0x03, 'a', 'b', 'c'};
    EXPECT_TRUE(matches({bj(1, 0), isdataat(0, true, true)}, data));  // lands exactly at the end
    const uint8_t past[] = {0x04, 'a', 'b', 'c'};
    EXPECT_FALSE(matches({bj(1, 0)}, past));
    auto before = bj(1, 0);
    before.post_offset = -5;  // 4 - 5: before the start
    EXPECT_FALSE(matches({before}, data));
    EXPECT_FALSE(matches({bj(2, 3)}, data));  // the bytes to read are missing
}

TEST(ByteJumpOption, RelativeRecordSkipping)
{
    // RPC-like: after the marker, a 4-byte length, then the next record.
    constexpr uint8_t data[] = {
        'M',  'K',               // marker
        0x00, 0x00, 0x00, 0x03,  // length of the opaque field
        'o',  'p',  'q',         // opaque
        0x00,                    // padding to 4
        'N',  'X',               // next record
    };
    auto j = bj(4, 0);
    j.relative = true;
    j.align = true;
    EXPECT_TRUE(matches({Ct("MK"), j, Ct("NX").distance(0).within(2)}, data));
    j.align = false;
    EXPECT_FALSE(matches({Ct("MK"), j, Ct("NX").distance(0).within(2)}, data));
}

TEST(ByteJumpOption, LittleEndianStringAndBitmask)
{
    const uint8_t le[] = {0x02, 0x00, 'a', 'b', 'X'};
    auto j = bj(2, 0);
    j.endian = Endian::Little;
    EXPECT_TRUE(matches({j, Ct("X").distance(0).within(1)}, le));

    const std::string dec = "03abcX";
    auto s = bj(2, 0);
    s.base = NumBase::Dec;
    EXPECT_TRUE(matches({s, Ct("X").distance(0).within(1)}, dec));

    const uint8_t masked[] = {0x2f, 'a', 'b', 'X'};  // (0x2f & 0xf0) >> 4 = 2
    auto m = bj(1, 0);
    m.bitmask = 0xf0;
    EXPECT_TRUE(matches({m, Ct("X").distance(0).within(1)}, masked));
}

TEST(ByteJumpOption, HugeValueFailsWithoutOverflow)
{
    const uint8_t data[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    auto j = bj(8, 0);
    j.multiplier = 0xffffffff;
    EXPECT_FALSE(matches({j}, data));
}

TEST(ByteJumpOption, CompileChecks)
{
    EXPECT_NE(compile_error({bj(0, 0)}).find("0 only with from_end"), std::string::npos);
    auto both = bj(1, 0);
    both.from_beginning = true;
    both.from_end = true;
    EXPECT_NE(compile_error({both}).find("together"), std::string::npos);
}

// ---- isdataat --------------------------------------------------------------------------------------

TEST(IsDataAtOption, Absolute)
{
    EXPECT_TRUE(matches({isdataat(7)}, "abcdefgh"));
    EXPECT_FALSE(matches({isdataat(8)}, "abcdefgh"));
}

TEST(IsDataAtOption, RelativeMeansByteCursorPlusNExists)
{
    // "c" ends at 3.
    EXPECT_TRUE(matches({Ct("c"), isdataat(4, true)}, "abcdefgh"));
    EXPECT_FALSE(matches({Ct("c"), isdataat(5, true)}, "abcdefgh"));
}

TEST(IsDataAtOption, QuickdrawIncorrectPacketLengthFollowsSnort)
{
    // Quickdraw sid 1111012: byte_jump:2,4; isdataat:0,relative; -- "bytes follow the PDU the
    // MBAP length announces". A correctly sized PDU lands exactly at the end: no byte there, so
    // no match (Suricata 7 matches it: its relative isdataat accepts cursor + 0 == size).
    const uint8_t exact[] = {0, 0, 0, 0, 0, 6, 1, 0x1d, 0, 0, 0, 0};
    EXPECT_FALSE(matches({bj(2, 4), isdataat(0, true)}, exact));
    const uint8_t trailing[] = {0, 0, 0, 0, 0, 6, 1, 0x1d, 0, 0, 0, 0, 0x42};
    EXPECT_TRUE(matches({bj(2, 4), isdataat(0, true)}, trailing));
}

TEST(IsDataAtOption, Negated)
{
    EXPECT_TRUE(matches({isdataat(8, false, true)}, "abcdefgh"));
    EXPECT_FALSE(matches({isdataat(7, false, true)}, "abcdefgh"));
    EXPECT_TRUE(matches({Ct("h"), isdataat(0, true, true)}, "abcdefgh"));
    EXPECT_TRUE(matches({isdataat(0, false, true)}, ""));
    EXPECT_FALSE(matches({isdataat(0)}, ""));
}

// ---- buffers ---------------------------------------------------------------------------------------

struct FakePdu {
    std::optional<std::string> data;
    std::string name;
    uint64_t number = 0;
};

dissect::FieldValue fake_get(const void* pdu, uint16_t index, size_t)
{
    const auto& p = *static_cast<const FakePdu*>(pdu);
    switch (index) {
        case 0:
            return p.data ? dissect::FieldValue::of_bytes(as_bytes(*p.data)) : dissect::FieldValue::none();
        case 1:
            return dissect::FieldValue::of_str(p.name);
        default:
            return dissect::FieldValue::of(p.number);
    }
}

size_t fake_list_size(const void*, uint8_t)
{
    return 0;
}

const dissect::FieldDesc fake_fields[] = {
    {"modbus.data", Protocol::Modbus, 0, dissect::FieldType::Bytes, 0, "data bytes"},
    {"modbus.name", Protocol::Modbus, 1, dissect::FieldType::String, 0, "a string"},
    {"modbus.number", Protocol::Modbus, 2, dissect::FieldType::U16, 0, "a number"},
};
const dissect::FieldDesc other_proto_field = {"dnp3.data", Protocol::Dnp3, 0, dissect::FieldType::Bytes, 0,
                                              ""};
const dissect::ProtocolFields fake_table{Protocol::Modbus, fake_fields, &fake_get, &fake_list_size};

const dissect::FieldDesc* data_field = &fake_fields[0];

bool matches_with(const std::vector<PayloadOp>& ops, std::string_view payload, const FakePdu& pdu)
{
    MatchScratch scratch;
    return compile_ok(ops).match(Buffers{as_bytes(payload), &fake_table, &pdu}, scratch);
}

TEST(BuffersTest, FieldBufferAndPayloadCursorsAreIndependent)
{
    const FakePdu pdu{"..cd..ef", "", 0};
    // Payload cursor after "ab" is 2; field cursor after "cd" is 4; each relative option continues
    // from its own buffer's cursor.
    const std::vector<PayloadOp> ops = {Ct("ab"), Ct("cd").on(data_field), Ct("xy").distance(0).within(2),
                                        Ct("..").on(data_field).distance(0).within(2)};
    EXPECT_TRUE(matches_with(ops, "abxy", pdu));
    EXPECT_FALSE(matches_with(ops, "abzxy", pdu));
    const FakePdu moved{"..cdx..", "", 0};
    EXPECT_FALSE(matches_with(ops, "abxy", moved));
}

TEST(BuffersTest, FieldOptionsDoNotSeePayloadBytes)
{
    const FakePdu pdu{"field", "", 0};
    EXPECT_FALSE(matches_with({Ct("payload").on(data_field)}, "payload", pdu));
    EXPECT_TRUE(matches_with({Ct("field").on(data_field)}, "payload", pdu));
}

TEST(BuffersTest, MissingFieldFailsEvenNegated)
{
    const FakePdu pdu{std::nullopt, "", 0};
    EXPECT_FALSE(matches_with({Ct("x").on(data_field)}, "x", pdu));
    EXPECT_FALSE(matches_with({Ct("x").on(data_field).negated()}, "x", pdu));
    IsDataAt d = isdataat(0, false, true);
    d.buffer.field = data_field;
    EXPECT_FALSE(matches_with({d}, "", pdu));
    MatchScratch scratch;
    // No PDU at all (a packet rule evaluated with a field option).
    EXPECT_FALSE(compile_ok({Ct("x").on(data_field).negated()}).match(Buffers{as_bytes("x")}, scratch));
}

TEST(BuffersTest, AbsentPayloadFailsEvenNegated)
{
    Buffers b;
    b.payload_present = false;
    MatchScratch scratch;
    EXPECT_FALSE(compile_ok({Ct("x").negated()}).match(b, scratch));
}

TEST(BuffersTest, StringFieldIsABuffer)
{
    const FakePdu pdu{std::nullopt, "write_single_coil", 0};
    EXPECT_TRUE(matches_with({Ct("SINGLE").nocase().on(&fake_fields[1])}, "", pdu));
}

TEST(BuffersTest, NumericFieldOrOtherProtocolIsMissing)
{
    const FakePdu pdu{"abc", "", 7};
    EXPECT_FALSE(matches_with({Ct("a").negated().on(&fake_fields[2])}, "", pdu));
    EXPECT_FALSE(matches_with({Ct("a").negated().on(&other_proto_field)}, "", pdu));
}

TEST(BuffersTest, EmptyFieldBufferIsPresent)
{
    const FakePdu pdu{"", "", 0};
    EXPECT_TRUE(matches_with({Ct("a").negated().on(data_field)}, "", pdu));
    EXPECT_FALSE(matches_with({Ct("a").on(data_field)}, "", pdu));
}

// ---- the program ----------------------------------------------------------------------------------

TEST(Program, EmptyProgramMatchesEverything)
{
    const PayloadProgram prog;
    MatchScratch scratch;
    EXPECT_TRUE(prog.empty());
    EXPECT_TRUE(prog.match(Buffers{}, scratch));
}

TEST(Program, CompileErrors)
{
    EXPECT_NE(compile_error({Ct("")}).find("content is empty"), std::string::npos);
    EXPECT_NE(compile_error({pcre("(")}).find("pcre:"), std::string::npos);
    std::vector<PayloadOp> many(max_payload_ops + 1, Ct("a"));
    EXPECT_NE(compile_error(many).find("payload options"), std::string::npos);
    std::vector<dissect::FieldDesc> descs;
    for (uint16_t i = 0; i <= max_payload_buffers; ++i)
        descs.push_back({"f", Protocol::Modbus, i, dissect::FieldType::Bytes, 0, ""});
    std::vector<PayloadOp> wide;
    for (const auto& d : descs)
        wide.push_back(Ct("a").on(&d));
    EXPECT_NE(compile_error(wide).find("inspected buffers"), std::string::npos);
}

TEST(Program, ReportsEnginesAndReservesScratch)
{
    const PayloadProgram hs = compile_ok({Ct("a"), pcre("b[0-9]+")});
    EXPECT_FALSE(hs.uses_pcre2());
    EXPECT_GT(hs.hs_bytes(), 0u);
    EXPECT_EQ(hs.size(), 2u);
    const PayloadProgram fallback = compile_ok({pcre("(b)\\1")});
    EXPECT_TRUE(fallback.uses_pcre2());
    EXPECT_FALSE(fallback.regexes()[0].hs_error().empty());
    MatchScratch scratch;
    EXPECT_TRUE(hs.reserve(scratch));
    const uint64_t grows = scratch.stats().scratch_grows;
    EXPECT_TRUE(hs.match(Buffers{as_bytes("a b12")}, scratch));
    EXPECT_EQ(scratch.stats().scratch_grows, grows);
}

TEST(Program, SharedProgramWithTwoScratches)
{
    PayloadProgram prog = compile_ok({Ct("ab"), pcre("^c+", "R")});
    const PayloadProgram moved = std::move(prog);
    MatchScratch a, b;
    EXPECT_TRUE(moved.match(Buffers{as_bytes("abccc")}, a));
    EXPECT_FALSE(moved.match(Buffers{as_bytes("abxcc")}, b));
    EXPECT_TRUE(moved.match(Buffers{as_bytes("xxabc")}, b));
}

TEST(Program, MatchPayloadConvenience)
{
    MatchScratch scratch;
    const std::vector<PayloadOp> ops = {Ct("a"), Ct("b").distance(0)};
    EXPECT_TRUE(match_payload(ops, Buffers{as_bytes("ab")}, scratch));
    EXPECT_FALSE(match_payload(ops, Buffers{as_bytes("ba")}, scratch));
    const std::vector<PayloadOp> bad = {Ct("")};
    EXPECT_FALSE(match_payload(bad, Buffers{as_bytes("")}, scratch));
    const PayloadProgram prog = compile_ok(ops);
    EXPECT_TRUE(match_payload(prog, Buffers{as_bytes("xab")}, scratch));
}

}  // namespace
}  // namespace otsentry::rules
