// The vocabulary the API's route handlers share (api.cc, api_rules.cc): errors raised as
// exceptions and turned into {"error":{"code","message"}} answers by Api::handle, query string and
// JSON body parsing with the limits docs/api.md states, role and method checks.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/users.h"
#include "webui/api.h"

namespace otsentry::webui::api {

// Raised inside a handler: becomes {"error":{"code","message"}} with the status.
struct ApiError {
    int status;
    std::string code, message;
};

[[noreturn]] void fail(int status, std::string code, std::string message);

std::string dump(const nlohmann::json& j);
Response json_response(int status, const nlohmann::json& body);
Response error_response(int status, std::string_view code, std::string_view message);

// Query strings: at most 16 parameters of 256 bytes, only the `allowed` keys, none twice
// (400 invalid_parameter / bad_request otherwise).
using Query = std::map<std::string, std::string>;
Query parse_query(std::string_view q, std::span<const std::string_view> allowed);
int64_t parse_int(std::string_view key, std::string_view v, int64_t lo, int64_t hi);
std::vector<std::string_view> split_list(std::string_view v);
std::string percent_decode(std::string_view in);

bool printable(std::string_view s);    // no control characters
bool valid_proto(std::string_view s);  // 1..32 of a-z 0-9 _ -
nlohmann::json null_if_empty(const std::string& s);

// JSON bodies: application/json, an object, only the `allowed` fields.
nlohmann::json parse_body(const Request& r, std::initializer_list<std::string_view> allowed);
// A body that may be empty (no fields to send) or a JSON object with none of its own fields.
void parse_empty_body(const Request& r);
std::string string_field(const nlohmann::json& j, const char* key, size_t min_len, size_t max_len,
                         bool required = true);

void require_role(const alerts::User& u, alerts::Role needed);                  // 403 forbidden
void allow(const Request& r, std::initializer_list<std::string_view> methods);  // 405

}  // namespace otsentry::webui::api
