// Typed fields of a protocol's PDU. One table per protocol declares each field once and serves
// the rule engine (by `name`, e.g. "modbus.function"), the EVE writer (by `eve_key`, the key in
// DESIGN.md's output contract) and the docs (by `doc`).
#pragma once

#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>
#include <utility>

#include "dissectors/common/json_writer.h"

namespace otsentry::dissect {

// String: text from traffic (escaped in EVE). Name: text from our own tables (a function name),
// written without the escaping scan.
enum class FieldType : uint8_t { U8, U16, U32, U64, Bytes, String, Name };

struct FieldValue {
    bool present = false;
    uint64_t u = 0;
    std::span<const uint8_t> bytes{};
    std::string_view str{};

    static constexpr FieldValue none() noexcept { return {}; }
    static constexpr FieldValue of(uint64_t v) noexcept { return {true, v, {}, {}}; }
    static constexpr FieldValue of_bytes(std::span<const uint8_t> b) noexcept { return {true, 0, b, {}}; }
    static constexpr FieldValue of_str(std::string_view s) noexcept { return {true, 0, {}, s}; }
};

template <typename Pdu>
struct FieldSpec {
    std::string_view name;     // rule name: protocol.field, lower_snake
    std::string_view eve_key;  // key in the EVE PDU object; empty when not written there
    FieldType type;
    std::string_view doc;
    FieldValue (*get)(const Pdu&);
};

// Writes every present field of `pdu` that has an EVE key, in table order.
template <typename Pdu>
void write_fields(JsonWriter& w, std::span<const FieldSpec<Pdu>> table, const Pdu& pdu)
{
    for (const auto& f : table) {
        if (f.eve_key.empty()) continue;
        const FieldValue v = f.get(pdu);
        if (!v.present) continue;
        w.key(f.eve_key);
        switch (f.type) {
            case FieldType::Bytes:
                w.hex(v.bytes);
                break;
            case FieldType::String:
                w.value(v.str);
                break;
            case FieldType::Name:
                w.name(v.str);
                break;
            default:
                w.value(v.u);
                break;
        }
    }
}

// The same for a table known at compile time (a constexpr array with static storage): one
// straight-line block per field, with its accessor inlined, its type resolved and its key's
// length a constant, instead of a loop with an indirect call per table entry. Used on the EVE
// path, where every event writes its PDUs' fields.
template <const auto& Table, size_t I, typename Pdu>
void write_field(JsonWriter& w, const Pdu& pdu)
{
    constexpr const auto& f = Table[I];
    if constexpr (!f.eve_key.empty()) {
        const FieldValue v = f.get(pdu);
        if (!v.present) return;
        if constexpr (f.type == FieldType::Bytes)
            w.key(f.eve_key).hex(v.bytes);
        else if constexpr (f.type == FieldType::String)
            w.key(f.eve_key).value(v.str);
        else if constexpr (f.type == FieldType::Name)
            w.name_field(f.eve_key, v.str);
        else
            w.field(f.eve_key, v.u);
    }
}

template <const auto& Table, typename Pdu>
void write_fields(JsonWriter& w, const Pdu& pdu)
{
    [&]<size_t... I>(std::index_sequence<I...>)
    {
        (write_field<Table, I>(w, pdu), ...);
    }
    (std::make_index_sequence<std::size(Table)>{});
}

}  // namespace otsentry::dissect
