// classtype names: the standard Snort / Suricata classification.config table (name, short
// description, priority 1 = most severe .. 4), plus entries loaded from extra files in the same
// format: `config classification: name,description,priority`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace otsentry::rules {

struct ClassType {
    std::string name;
    std::string description;
    uint8_t priority = 3;
};

class Classifications {
public:
    // The standard table.
    Classifications();

    [[nodiscard]] const ClassType* find(std::string_view name) const;
    [[nodiscard]] size_t size() const noexcept { return table_.size(); }

    // Adds (or replaces) entries from classification.config text; `origin` names it in errors
    // ("file.config:12: ..."). Stops at the first bad line.
    bool load_text(std::string_view text, std::string_view origin, std::string& error);
    bool load_file(const std::string& path, std::string& error);

private:
    std::map<std::string, ClassType, std::less<>> table_;
};

const Classifications& default_classifications();

}  // namespace otsentry::rules
