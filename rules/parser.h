// Rule text -> rules::Rule. Snort 2.9 / Suricata rules (`alert tcp $A any -> $B 502 (...)`), the
// Snort 3 forms (header-less `alert tcp ( ... )`, `alert modbus ( ... )`, content modifiers
// written `content:"x", depth 3, offset 2;`), and our generic field keywords
// (`modbus.address: 100-200;`). See rules/README.md "## Parser" for the grammar, the keyword
// table and every error message.
//
// A rule is accepted, accepted but unavailable (valid text naming a protocol or keyword we do not
// dissect: Rule::unavailable says which), or rejected with a reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rules/address.h"
#include "rules/classification.h"
#include "rules/rule.h"

namespace otsentry::rules {

// Limits on one rule.
constexpr size_t max_rule_bytes = 64 * 1024;
constexpr size_t max_content_bytes = 4 * 1024;
constexpr size_t max_rule_options = 256;

struct ParseContext {
    const Variables* vars = nullptr;           // nullptr: default_variables()
    const Classifications* classes = nullptr;  // nullptr: default_classifications()

    [[nodiscard]] const Variables& variables() const { return vars != nullptr ? *vars : default_variables(); }
    [[nodiscard]] const Classifications& classifications() const
    {
        return classes != nullptr ? *classes : default_classifications();
    }
};

// One rejected rule (or an unreadable file: line 0).
struct RuleError {
    std::string file;
    uint32_t line = 0;
    std::optional<uint32_t> sid;  // when the text had a readable sid
    std::string reason;
    std::string text;  // the rule as written (empty for a file that cannot be read)
};

// parse_rule's answer: a rule, or the reason it was rejected (with its sid when readable).
struct ParseResult {
    std::optional<Rule> rule;
    std::string error;
    std::optional<uint32_t> sid;

    [[nodiscard]] bool ok() const noexcept { return rule.has_value(); }
};

// Parses one rule (continuation lines already joined; no comment). Rule::file/line are left
// empty for the caller.
ParseResult parse_rule(std::string_view text, const ParseContext& ctx);

// A rule set being read from one or more files: every rule with file:line, every error, and
// duplicate (gid, sid) detection across everything added.
class RuleFileSet {
public:
    explicit RuleFileSet(ParseContext ctx = {}) : ctx_{ctx} {}

    // Rule text as in a .rules file: `\`-continued lines are joined, blank lines and `#`
    // comments skipped. `file` names it in messages.
    void add_text(std::string_view text, std::string_view file);
    // Reads and adds a file; false (and an error at line 0) when it cannot be read.
    bool add_file(const std::string& path);

    [[nodiscard]] const std::vector<Rule>& rules() const noexcept { return rules_; }
    [[nodiscard]] std::vector<Rule>& rules() noexcept { return rules_; }
    [[nodiscard]] const std::vector<RuleError>& errors() const noexcept { return errors_; }

private:
    void add_rule(std::string text, std::string_view file, uint32_t line);

    ParseContext ctx_;
    std::vector<Rule> rules_;
    std::vector<RuleError> errors_;
    std::unordered_map<uint64_t, size_t> ids_;  // gid << 32 | sid -> index in rules_
};

// One-set conveniences.
RuleFileSet parse_file(const std::string& path, const ParseContext& ctx = {});
RuleFileSet parse_text(std::string_view text, std::string_view file, const ParseContext& ctx = {});

}  // namespace otsentry::rules
