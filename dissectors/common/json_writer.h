// A streaming JSON writer that appends to a std::string. Used on the packet path to render
// events once (EVE line and stored row share the text), so it allocates nothing beyond the
// string's own growth and handles commas and escaping itself. Parsing JSON is nlohmann's job.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace otsentry::dissect {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) noexcept : out_{out} {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // `k` is an identifier from our code (never traffic bytes): it is not escaped.
    JsonWriter& key(std::string_view k);

    JsonWriter& value(uint64_t v);
    JsonWriter& value(int64_t v);
    JsonWriter& value(uint32_t v) { return value(static_cast<uint64_t>(v)); }
    JsonWriter& value(uint16_t v) { return value(static_cast<uint64_t>(v)); }
    JsonWriter& value(uint8_t v) { return value(static_cast<uint64_t>(v)); }
    JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
    JsonWriter& value(double v);
    JsonWriter& value(bool v);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view{s}); }
    JsonWriter& null();
    // Bytes as lowercase hex text ("0a1b"), the form EVE uses for raw data.
    JsonWriter& hex(std::span<const uint8_t> bytes);
    // Pre-rendered JSON text, inserted as one value.
    JsonWriter& raw(std::string_view json);

    template <typename T>
    JsonWriter& field(std::string_view k, const T& v)
    {
        key(k);
        return value(v);
    }

    [[nodiscard]] unsigned depth() const noexcept { return depth_; }

private:
    void separator();
    // Consumes the pending separator state; true when a ',' must precede the next token.
    bool comma_needed() noexcept;

    std::string& out_;
    static constexpr unsigned max_depth = 64;
    std::array<bool, max_depth> first_{};  // whether the container at each depth is still empty
    unsigned depth_ = 0;
    bool after_key_ = false;
};

// Appends `s` to `out` with JSON string escaping (no quotes added). Invalid UTF-8 bytes are
// written as \u00XX so the output is always valid JSON.
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace otsentry::dissect
