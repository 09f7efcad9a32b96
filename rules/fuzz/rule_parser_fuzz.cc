// libFuzzer target for the rule parser: the input is rule-file text (several lines, continuation
// lines, comments), parsed as one set; each rule is also re-parsed alone, and its text, when
// accepted, must parse again to the same verdict.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "rules/check.h"
#include "rules/parser.h"

using namespace otsentry::rules;  // NOLINT(google-build-using-namespace)

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size > 2 * max_rule_bytes) return 0;
    // An exactly sized heap copy, so ASan flags any read past the end.
    auto buf = std::make_unique<char[]>(size);
    std::copy_n(reinterpret_cast<const char*>(data), size, buf.get());
    const std::string_view text{buf.get(), size};

    RuleFileSet set;
    set.add_text(text, "fuzz.rules");
    for (const Rule& r : set.rules()) {
        const ParseResult again = parse_rule(r.text, {});
        if (!again.ok()) __builtin_trap();  // an accepted rule's text must stay acceptable
    }
    (void)make_report(set);
    (void)parse_rule(text, {});
    return 0;
}
