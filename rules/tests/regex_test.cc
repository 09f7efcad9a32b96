#include "rules/regex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace otsentry::rules {
namespace {

std::span<const uint8_t> as_bytes(std::string_view s)
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Regex compile_ok(std::string pattern, std::string flags = "")
{
    Pcre p;
    p.pattern = std::move(pattern);
    p.flags = std::move(flags);
    std::string error;
    auto re = Regex::compile(p, error);
    EXPECT_TRUE(re.has_value()) << error;
    if (!re) std::abort();
    return std::move(*re);
}

std::string compile_error(std::string pattern, std::string flags = "")
{
    Pcre p;
    p.pattern = std::move(pattern);
    p.flags = std::move(flags);
    std::string error;
    EXPECT_FALSE(Regex::compile(p, error).has_value());
    return error;
}

std::optional<MatchSpan> find(const Regex& re, std::string_view subject, size_t from = 0)
{
    MatchScratch scratch;
    return re.find(as_bytes(subject), from, scratch);
}

void expect_span(const std::optional<MatchSpan>& m, size_t start, size_t end)
{
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->start, start);
    EXPECT_EQ(m->end, end);
}

TEST(Regex, PlainPatternUsesHyperscan)
{
    const Regex re = compile_ok("abc");
    EXPECT_FALSE(re.uses_pcre2());
    EXPECT_TRUE(re.hs_error().empty());
    EXPECT_GT(re.hs_bytes(), 0u);
    expect_span(find(re, "xxabcxx"), 2, 5);
    EXPECT_FALSE(find(re, "xxabxcx"));
}

TEST(Regex, CaselessFlagI)
{
    EXPECT_FALSE(find(compile_ok("abc"), "xABCx"));
    expect_span(find(compile_ok("abc", "i"), "xABCx"), 1, 4);
}

TEST(Regex, DotallFlagS)
{
    EXPECT_FALSE(find(compile_ok("a.b"), "a\nb"));
    expect_span(find(compile_ok("a.b", "s"), "a\nb"), 0, 3);
}

TEST(Regex, MultilineFlagM)
{
    EXPECT_FALSE(find(compile_ok("^b"), "a\nb"));
    expect_span(find(compile_ok("^b", "m"), "a\nb"), 2, 3);
}

TEST(Regex, ExtendedFlagX)
{
    const Regex re = compile_ok("a b  c # trailing comment", "x");
    EXPECT_FALSE(re.uses_pcre2()) << re.hs_error();
    expect_span(find(re, "zabcz"), 1, 4);
    EXPECT_FALSE(find(re, "a b c"));
}

TEST(Regex, AnchoredFlagA)
{
    const Regex re = compile_ok("bc", "A");
    EXPECT_TRUE(re.anchored());
    EXPECT_FALSE(re.uses_pcre2()) << re.hs_error();
    EXPECT_FALSE(find(re, "abc"));
    expect_span(find(re, "bcd"), 0, 2);
}

TEST(Regex, AnchoredExtendedKeepsTrailingCommentInside)
{
    const Regex re = compile_ok("b c # comment", "Ax");
    EXPECT_FALSE(re.uses_pcre2()) << re.hs_error();
    expect_span(find(re, "bcd"), 0, 2);
    EXPECT_FALSE(find(re, "abc"));
}

TEST(Regex, DollarEndOnlyFlagE)
{
    // Without E, `$` also matches before a final newline.
    expect_span(find(compile_ok("a$"), "a\n"), 0, 1);
    const Regex e = compile_ok("a$", "E");
    EXPECT_TRUE(e.uses_pcre2());
    EXPECT_FALSE(find(e, "a\n"));
    expect_span(find(e, "xa"), 1, 2);
    // E without `$` changes nothing, so Hyperscan stays in use.
    EXPECT_FALSE(compile_ok("ab", "E").uses_pcre2());
}

TEST(Regex, UngreedyFlagG)
{
    const Regex greedy = compile_ok("a+");
    const Regex lazy = compile_ok("a+", "G");
    EXPECT_FALSE(greedy.uses_pcre2());
    EXPECT_FALSE(lazy.uses_pcre2());
    expect_span(find(greedy, "baaab"), 1, 4);
    expect_span(find(lazy, "baaab"), 1, 2);
}

TEST(Regex, RelativeFlagRIsRecorded)
{
    EXPECT_TRUE(compile_ok("a", "R").relative());
    EXPECT_FALSE(compile_ok("a").relative());
    Pcre p;
    p.pattern = "a";
    p.relative = true;
    std::string error;
    EXPECT_TRUE(Regex::compile(p, error)->relative());
}

TEST(Regex, EndIsPcreEndNotShortestHyperscanEnd)
{
    // Hyperscan reports ends 4, 5, 6 for the start 0; PCRE's greedy \d+ ends at 6.
    const Regex re = compile_ok("foo\\d+");
    EXPECT_FALSE(re.uses_pcre2());
    expect_span(find(re, "foo123bar"), 0, 6);
}

TEST(Regex, AlternationOrderDecidesEnd)
{
    expect_span(find(compile_ok("a|ab"), "ab"), 0, 1);
    expect_span(find(compile_ok("ab|a"), "ab"), 0, 2);
}

TEST(Regex, LeftmostStartEvenWhenItEndsLater)
{
    // "a" ends first (at 4) but "bcd" starts first (at 0).
    expect_span(find(compile_ok("a|bcd"), "bcda"), 0, 3);
}

TEST(Regex, BackReferenceFallsBackToPcre2)
{
    const Regex re = compile_ok("(ab)\\1");
    EXPECT_TRUE(re.uses_pcre2());
    EXPECT_FALSE(re.hs_error().empty());
    EXPECT_EQ(re.hs_bytes(), 0u);
    expect_span(find(re, "xxababx"), 2, 6);
    EXPECT_FALSE(find(re, "xxabax"));
}

TEST(Regex, LookaroundFallsBackToPcre2)
{
    const Regex re = compile_ok("foo(?=bar)");
    EXPECT_TRUE(re.uses_pcre2());
    expect_span(find(re, "foobaz foobar"), 7, 10);
}

TEST(Regex, EmptyMatchingPatternFallsBackToPcre2)
{
    const Regex re = compile_ok("a*");
    EXPECT_TRUE(re.uses_pcre2());
    expect_span(find(re, "bbb"), 0, 0);
}

TEST(Regex, SearchFromLaterOffsetKeepsContext)
{
    // From 1 the subject is still the whole string: \b before "foo" at 1 does not hold.
    const Regex re = compile_ok("\\bfoo");
    expect_span(find(re, "xfoo foo", 1), 5, 8);
    expect_span(find(re, "xfoo foo", 0), 5, 8);
    EXPECT_FALSE(find(re, "xfoo foo", 6));
    EXPECT_FALSE(find(re, "abc", 4));
}

TEST(Regex, BinaryBytesWithoutUtf8)
{
    const Regex re = compile_ok("\\x00\\xff+");
    EXPECT_FALSE(re.uses_pcre2());
    const uint8_t data[] = {0x41, 0x00, 0xff, 0xff, 0x42};
    MatchScratch scratch;
    const auto m = re.find(data, 0, scratch);
    expect_span(m, 1, 4);
}

TEST(Regex, HighBytesMatchDotAndClasses)
{
    // UTF-8 off: 0xC3 0xA9 are two characters, not one.
    const Regex re = compile_ok("^..$", "s");
    const uint8_t data[] = {0xc3, 0xa9};
    MatchScratch scratch;
    EXPECT_TRUE(re.find(data, 0, scratch).has_value());
}

TEST(Regex, EmptySubject)
{
    EXPECT_FALSE(find(compile_ok("a"), ""));
    expect_span(find(compile_ok("^$"), ""), 0, 0);
}

TEST(Regex, CatastrophicPatternHitsLimitQuickly)
{
    // The classic ReDoS: nested quantifiers that can match empty (so Hyperscan refuses it),
    // exponential on a run of word characters that ends in a non-word byte.
    const Regex re = compile_ok("^(\\w+\\s?)*$");
    ASSERT_TRUE(re.uses_pcre2());
    const std::string subject = std::string(64, 'a') + "!";
    MatchScratch scratch;
    const auto t0 = std::chrono::steady_clock::now();
    const Regex::Result r = re.search(as_bytes(subject), 0, scratch);
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(r.status, Regex::Status::Error);
    EXPECT_EQ(scratch.stats().pcre_limit_hits, 1u);
    EXPECT_LT(elapsed, std::chrono::seconds(1));
    EXPECT_FALSE(re.find(as_bytes(subject), 0, scratch).has_value());
    EXPECT_EQ(scratch.stats().pcre_limit_hits, 2u);
}

TEST(Regex, CatastrophicPatternUnderHyperscanDoesNotBacktrack)
{
    const Regex re = compile_ok("(a+)+b");
    EXPECT_FALSE(re.uses_pcre2());
    const std::string subject(5000, 'a');
    MatchScratch scratch;
    EXPECT_EQ(re.search(as_bytes(subject), 0, scratch).status, Regex::Status::NoMatch);
    EXPECT_EQ(scratch.stats().pcre_limit_hits, 0u);
}

TEST(Regex, LowerLimitsAreHonoured)
{
    RegexLimits limits;
    limits.match_limit = 5;
    MatchScratch scratch{limits};
    const Regex re = compile_ok("^(\\w+\\s?)*$");  // PCRE2 only
    const std::string subject = "aaaa bbbb cccc";
    EXPECT_EQ(re.search(as_bytes(subject), 0, scratch).status, Regex::Status::Error);
    MatchScratch roomy;
    EXPECT_EQ(re.search(as_bytes(subject), 0, roomy).status, Regex::Status::Match);
}

TEST(Regex, HttpBufferFlagsAreNotAvailable)
{
    for (const char f : std::string("UIPQHDMCKSYVW")) {
        const std::string error = compile_error("a", std::string(1, f));
        EXPECT_NE(error.find(std::string("flag ") + f + " not available"), std::string::npos) << error;
    }
}

TEST(Regex, RawbytesAndOverrideFlagsAreIgnored)
{
    expect_span(find(compile_ok("ab", "BO"), "xab"), 1, 3);
}

TEST(Regex, UnknownFlagIsAnError)
{
    EXPECT_NE(compile_error("a", "z").find("unknown pcre flag 'z'"), std::string::npos);
}

TEST(Regex, InvalidPatternNamesPcreError)
{
    const std::string error = compile_error("(abc");
    EXPECT_EQ(error.rfind("pcre: ", 0), 0u) << error;
    EXPECT_NE(error.find("offset"), std::string::npos);
}

TEST(Regex, PatternLengthCap)
{
    const std::string ok(max_pcre_pattern_len, 'a');
    compile_ok(ok);
    EXPECT_NE(compile_error(ok + "a").find("longer than"), std::string::npos);
}

TEST(Regex, NulByteInPatternFallsBackToPcre2)
{
    const Regex re = compile_ok(std::string("a\0b", 3));
    EXPECT_TRUE(re.uses_pcre2());
    const uint8_t data[] = {'x', 'a', 0, 'b'};
    MatchScratch scratch;
    expect_span(re.find(data, 0, scratch), 1, 4);
}

TEST(Regex, OneScratchServesManyDatabases)
{
    const Regex small = compile_ok("ab");
    const Regex big = compile_ok("(foo|bar|baz)[0-9]{2,8}(qux|quux)+x{3,40}");
    MatchScratch scratch;
    expect_span(small.find(as_bytes("xab"), 0, scratch), 1, 3);
    EXPECT_EQ(scratch.stats().scratch_grows, 1u);
    // Hyperscan refuses the small scratch for the big database (HS_INVALID); it grows once.
    expect_span(big.find(as_bytes("bar1234quxxxx"), 0, scratch), 0, 13);
    EXPECT_EQ(scratch.stats().scratch_grows, 2u);
    expect_span(small.find(as_bytes("ab"), 0, scratch), 0, 2);
    EXPECT_EQ(scratch.stats().hs_errors, 0u);
    EXPECT_EQ(scratch.stats().scratch_grows, 2u);
}

TEST(Regex, ReservedScratchDoesNotGrowAtScan)
{
    const Regex re = compile_ok("needle[0-9]+");
    MatchScratch scratch;
    ASSERT_TRUE(scratch.reserve(re.database()));
    const uint64_t grows = scratch.stats().scratch_grows;
    EXPECT_TRUE(re.find(as_bytes("a needle42"), 0, scratch));
    EXPECT_EQ(scratch.stats().scratch_grows, grows);
}

TEST(Regex, MovedRegexAndScratchStillWork)
{
    Regex a = compile_ok("abc");
    Regex b = std::move(a);
    MatchScratch s1;
    MatchScratch s2 = std::move(s1);
    expect_span(b.find(as_bytes("zabc"), 0, s2), 1, 4);
}

}  // namespace
}  // namespace otsentry::rules
