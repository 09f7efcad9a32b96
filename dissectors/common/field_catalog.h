// Every application field the rules may name, across protocols, without knowing any protocol's
// PDU type. The rule parser resolves `modbus.address` to a FieldDesc once; at match time the
// rule engine reads the field from a PDU through its protocol's ProtocolFields accessor.
//
// A field is scalar (one value per PDU, or absent) or an element field of a list (DNP3 object
// headers, IEC 104 information objects, S7 items, Modbus registers): tests on fields of the same
// list must hold on the same element, so `dnp3.object.group: 60; dnp3.object.variation: 1;`
// means "an object header g60v1", not "some g60 and some v1".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "dissectors/common/field.h"
#include "dissectors/common/types.h"

namespace otsentry::dissect {

struct FieldDesc {
    std::string_view name;  // "modbus.address"
    Protocol proto = Protocol::Unknown;
    uint16_t index = 0;  // position in its protocol's `fields`
    FieldType type = FieldType::U8;
    uint8_t list = 0;  // 0: scalar; n > 0: an element field of the protocol's list n
    std::string_view doc;
};

struct ProtocolFields {
    Protocol proto = Protocol::Unknown;
    std::span<const FieldDesc> fields;
    // Reads field `index` of `pdu` (a pointer to the protocol's Pdu); `element` selects the list
    // element for element fields and is ignored for scalars.
    FieldValue (*get)(const void* pdu, uint16_t index, size_t element) = nullptr;
    // Elements in list `list` of `pdu` (0 for a list the PDU does not carry).
    size_t (*list_size)(const void* pdu, uint8_t list) = nullptr;
    // The smallest and largest value element field `index` takes in `pdu`, when the protocol
    // can tell without reading every element (Modbus addresses come in runs): true with lo > hi
    // when no element has the field; false when the protocol cannot tell (read the elements).
    bool (*element_range)(const void* pdu, uint16_t index, uint64_t& lo, uint64_t& hi) = nullptr;
};

// An element field of a list, declared by a protocol next to its scalar FieldSpec table.
template <typename Pdu>
struct ElementFieldSpec {
    std::string_view name;  // "dnp3.object.group"
    uint8_t list;           // 1, 2, ... within the protocol
    FieldType type;
    std::string_view doc;
    FieldValue (*get)(const Pdu&, size_t element);
    // Optional: [lo, hi] of the field over all elements without walking them (see
    // ProtocolFields::element_range); true with lo > hi when no element has the field.
    bool (*range)(const Pdu&, uint64_t& lo, uint64_t& hi) = nullptr;
};

template <typename Pdu>
struct ListSpec {
    uint8_t list;
    size_t (*size)(const Pdu&);
};

// Builds a protocol's ProtocolFields from its tables. One instance per Pdu type, made once (a
// function-local static in the protocol's *_fields.cc); the tables must outlive it.
template <typename Pdu>
class ErasedFields {
public:
    ErasedFields(Protocol proto, std::span<const FieldSpec<Pdu>> scalars,
                 std::span<const ElementFieldSpec<Pdu>> elements = {},
                 std::span<const ListSpec<Pdu>> lists = {})
    {
        scalars_ = scalars;
        elements_ = elements;
        lists_ = lists;
        uint16_t i = 0;
        for (const auto& f : scalars)
            descs_.push_back(FieldDesc{f.name, proto, i++, f.type, 0, f.doc});
        for (const auto& f : elements)
            descs_.push_back(FieldDesc{f.name, proto, i++, f.type, f.list, f.doc});
        table_ = ProtocolFields{proto, descs_, &get, &list_size, &element_range};
    }
    ErasedFields(const ErasedFields&) = delete;
    ErasedFields& operator=(const ErasedFields&) = delete;

    [[nodiscard]] const ProtocolFields& table() const noexcept { return table_; }

private:
    static FieldValue get(const void* pdu, uint16_t index, size_t element)
    {
        const Pdu& p = *static_cast<const Pdu*>(pdu);
        if (index < scalars_.size()) return scalars_[index].get(p);
        const size_t e = index - scalars_.size();
        return e < elements_.size() ? elements_[e].get(p, element) : FieldValue::none();
    }
    static bool element_range(const void* pdu, uint16_t index, uint64_t& lo, uint64_t& hi)
    {
        if (index < scalars_.size()) return false;
        const size_t e = index - scalars_.size();
        if (e >= elements_.size() || elements_[e].range == nullptr) return false;
        return elements_[e].range(*static_cast<const Pdu*>(pdu), lo, hi);
    }
    static size_t list_size(const void* pdu, uint8_t list)
    {
        for (const auto& l : lists_)
            if (l.list == list) return l.size(*static_cast<const Pdu*>(pdu));
        return 0;
    }

    static inline std::span<const FieldSpec<Pdu>> scalars_{};
    static inline std::span<const ElementFieldSpec<Pdu>> elements_{};
    static inline std::span<const ListSpec<Pdu>> lists_{};
    std::vector<FieldDesc> descs_;
    ProtocolFields table_;
};

// All protocols' fields (implemented by dissectors/registry.cc).
std::span<const ProtocolFields* const> all_field_tables();
const ProtocolFields* field_table(Protocol proto);
// nullptr when no protocol has a field of that name.
const FieldDesc* find_field(std::string_view name);

}  // namespace otsentry::dissect
