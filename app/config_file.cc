#include "app/config_file.h"

#include <yaml-cpp/yaml.h>

namespace otsentry::app {

namespace {

std::string where(const std::string& path, const YAML::Node& n)
{
    return path + ": line " + std::to_string(n.Mark().line + 1);
}

// A list of strings, or one string.
bool strings(const std::string& path, const YAML::Node& n, const char* what, std::vector<std::string>& out,
             std::string& error)
{
    if (n.IsScalar()) {
        out.push_back(n.as<std::string>());
        return true;
    }
    if (!n.IsSequence()) {
        error = where(path, n) + ": " + what + " must be a list of paths";
        return false;
    }
    for (const auto& e : n) {
        if (!e.IsScalar()) {
            error = where(path, e) + ": " + what + " must be a list of paths";
            return false;
        }
        out.push_back(e.as<std::string>());
    }
    return true;
}

}  // namespace

bool apply_config_file(const std::string& path, RuleOptions& out, std::string& error)
{
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        error = path + ": cannot read the configuration file";
        return false;
    } catch (const YAML::Exception& e) {
        error = path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
        return false;
    }
    if (root.IsNull()) return true;
    if (!root.IsMap()) {
        error = path + ": the configuration must be a mapping (rules:, vars:)";
        return false;
    }
    RuleOptions file;
    try {
        for (const auto& kv : root) {
            const auto key = kv.first.as<std::string>();
            const YAML::Node& v = kv.second;
            if (key == "rules") {
                if (!v.IsMap()) {
                    error = where(path, v) + ": rules must be a mapping (paths, default, classification)";
                    return false;
                }
                for (const auto& r : v) {
                    const auto k = r.first.as<std::string>();
                    if (k == "paths") {
                        if (!strings(path, r.second, "rules.paths", file.paths, error)) return false;
                    } else if (k == "default") {
                        file.with_default = r.second.as<bool>();
                    } else if (k == "classification") {
                        if (!strings(path, r.second, "rules.classification", file.classification_files,
                                     error))
                            return false;
                    } else {
                        error = where(path, r.first) + ": unknown key rules." + k;
                        return false;
                    }
                }
            } else if (key == "vars") {
                if (!v.IsMap()) {
                    error = where(path, v) + ": vars must be a mapping NAME: value";
                    return false;
                }
                for (const auto& var : v) {
                    if (!var.second.IsScalar()) {
                        error = where(path, var.second) + ": vars." + var.first.as<std::string>() +
                                " must be a string such as \"[10.0.0.0/8]\"";
                        return false;
                    }
                    file.vars.push_back(var.first.as<std::string>() + "=" + var.second.as<std::string>());
                }
            } else {
                error = where(path, kv.first) + ": unknown key " + key;
                return false;
            }
        }
    } catch (const YAML::Exception& e) {
        error = path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg;
        return false;
    }
    // The file first; the command line after it (a later --var of the same name wins).
    file.paths.insert(file.paths.end(), out.paths.begin(), out.paths.end());
    file.vars.insert(file.vars.end(), out.vars.begin(), out.vars.end());
    file.classification_files.insert(file.classification_files.end(), out.classification_files.begin(),
                                     out.classification_files.end());
    file.with_default = file.with_default || out.with_default;
    file.none = out.none;
    out = std::move(file);
    return true;
}

}  // namespace otsentry::app
