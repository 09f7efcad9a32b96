#include "app/rule_options.h"

#include "app/config_file.h"

namespace otsentry::app {

bool RuleOptions::to_load_options(rules::LoadOptions& out, std::string& error) const
{
    if (!config_file.empty()) {
        RuleOptions merged = *this;
        merged.config_file.clear();
        if (!apply_config_file(config_file, merged, error)) return false;
        return merged.to_load_options(out, error);
    }
    out.paths = paths;
    out.include_default = with_default;
    out.classification_files = classification_files;
    out.vars.clear();
    for (const std::string& v : vars) {
        const auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0) {
            error = "--var " + v + ": expected NAME=VALUE, e.g. --var HOME_NET=[10.0.0.0/8]";
            return false;
        }
        std::string name = v.substr(0, eq);
        if (name.front() == '$') name.erase(0, 1);
        out.vars.emplace_back(std::move(name), v.substr(eq + 1));
    }
    return true;
}

}  // namespace otsentry::app
