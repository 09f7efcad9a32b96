// Shared pieces of the API's route handlers (api_util.h).
#include "webui/api_util.h"

#include <algorithm>
#include <charconv>

namespace otsentry::webui::api {

using alerts::Role;
using nlohmann::json;

namespace {

constexpr size_t max_query_params = 16;
constexpr size_t max_query_value = 256;

}  // namespace

[[noreturn]] void fail(int status, std::string code, std::string message)
{
    throw ApiError{status, std::move(code), std::move(message)};
}

std::string dump(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Response json_response(int status, const json& body)
{
    Response r;
    r.status = status;
    r.body = dump(body);
    return r;
}

Response error_response(int status, std::string_view code, std::string_view message)
{
    return json_response(status, json{{"error", {{"code", code}, {"message", message}}}});
}

namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string percent_decode(std::string_view in)
{
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= in.size()) fail(400, "bad_request", "bad percent-encoding");
            const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) fail(400, "bad_request", "bad percent-encoding");
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

Query parse_query(std::string_view q, std::span<const std::string_view> allowed)
{
    Query out;
    size_t n = 0;
    while (!q.empty()) {
        const auto amp = q.find('&');
        const auto part = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
        if (part.empty()) continue;
        if (++n > max_query_params) fail(400, "bad_request", "too many query parameters");
        const auto eq = part.find('=');
        auto key = percent_decode(part.substr(0, eq));
        auto value = eq == std::string_view::npos ? std::string{} : percent_decode(part.substr(eq + 1));
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            fail(400, "invalid_parameter", "unknown query parameter: " + key.substr(0, 32));
        if (value.size() > max_query_value) fail(400, "invalid_parameter", key + ": value too long");
        if (!out.emplace(std::move(key), std::move(value)).second)
            fail(400, "invalid_parameter", "query parameter given twice");
    }
    return out;
}

int64_t parse_int(std::string_view key, std::string_view v, int64_t lo, int64_t hi)
{
    int64_t x = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (v.empty() || ec != std::errc{} || p != v.data() + v.size() || x < lo || x > hi)
        fail(400, "invalid_parameter",
             std::string(key) + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return x;
}

std::vector<std::string_view> split_list(std::string_view v)
{
    std::vector<std::string_view> out;
    while (true) {
        const auto comma = v.find(',');
        out.push_back(v.substr(0, comma));
        if (comma == std::string_view::npos) break;
        v = v.substr(comma + 1);
    }
    return out;
}

bool printable(std::string_view s)
{
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

// An IPv4/IPv6 address as text: hex digits, digits, '.', ':'.

bool valid_proto(std::string_view s)
{
    if (s.empty() || s.size() > 32) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

json null_if_empty(const std::string& s)
{
    return s.empty() ? json(nullptr) : json(s);
}

// ---- JSON bodies ----

json parse_body(const Request& r, std::initializer_list<std::string_view> allowed)
{
    const std::string_view ct = r.content_type;
    if (ct.substr(0, std::min(ct.size(), ct.find(';'))) != "application/json")
        fail(400, "bad_content_type", "the body must be application/json");
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) fail(400, "bad_request", "the body must be a JSON object");
    for (const auto& [key, value] : j.items())
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            fail(422, "invalid_field", "unknown field: " + key.substr(0, 32));
    return j;
}

// A body that may be empty (no fields to send) or a JSON object with none of its own fields.
void parse_empty_body(const Request& r)
{
    if (!r.body.empty()) parse_body(r, {});
}

std::string string_field(const json& j, const char* key, size_t min_len, size_t max_len, bool required)
{
    const auto it = j.find(key);
    if (it == j.end()) {
        if (required) fail(422, "invalid_field", std::string(key) + " is required");
        return {};
    }
    if (!it->is_string()) fail(422, "invalid_field", std::string(key) + " must be a string");
    auto s = it->get<std::string>();
    if (s.size() < min_len || s.size() > max_len)
        fail(422, "invalid_field",
             std::string(key) + " must be " + std::to_string(min_len) + ".." + std::to_string(max_len) +
                 " bytes");
    return s;
}

void require_role(const alerts::User& u, Role needed)
{
    if (static_cast<int>(u.role) < static_cast<int>(needed))
        fail(403, "forbidden", "this needs the " + std::string(alerts::to_string(needed)) + " role");
}

void allow(const Request& r, std::initializer_list<std::string_view> methods)
{
    if (std::find(methods.begin(), methods.end(), r.method) == methods.end())
        fail(405, "method_not_allowed", r.method.substr(0, 16) + " is not allowed here");
}

}  // namespace otsentry::webui::api
