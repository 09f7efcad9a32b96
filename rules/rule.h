// One parsed rule, as the parser (parser.h) produces it and the compiler (ruleset.h) consumes it.
// The grammar is Snort 2.9 / Suricata rule text, plus the Snort 3 header-less form and our own
// generic field keywords (`modbus.address: 100-200;`). Nothing here depends on Hyperscan or on a
// dissector's types: application fields are referred to through dissect::FieldDesc.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dissectors/common/field_catalog.h"
#include "dissectors/common/types.h"

namespace otsentry::rules {

// `drop`, `reject` (and Snort 3's `block`, `sdrop`) are accepted and behave as `alert`: we are
// passive. `pass` suppresses every other alert on the packet or transaction it matches.
enum class Action : uint8_t { Alert, Pass, Log, Drop, Reject };

// The header's protocol. `App` means an application protocol named in `Rule::app`.
enum class HeaderProto : uint8_t { Ip, Tcp, Udp, Icmp, App };

// ---- integer comparator: one grammar for every integer keyword --------------------------------
// `5`, `=5`, `!5`, `!=5`, `<5`, `>5`, `<=5`, `>=5`, `5-10` (inclusive), `5<>10` (Suricata's
// exclusive range), `&0x80` (any of the bits), `5,7,9` (list: any of).
enum class CmpOp : uint8_t { Eq, Ne, Lt, Gt, Le, Ge, Range, RangeExclusive, AnyOf, MaskAny };

struct IntMatch {
    CmpOp op = CmpOp::Eq;
    uint64_t a = 0, b = 0;       // operand(s); Range: a..b inclusive; RangeExclusive: a<x<b
    std::vector<uint64_t> list;  // AnyOf
    bool negated = false;        // a leading `!` on a range or list

    [[nodiscard]] bool matches(uint64_t v) const noexcept;
};

// ---- addresses and ports ---------------------------------------------------------------------
// An IPv4 address is stored IPv4-mapped (::ffff:a.b.c.d) so one type holds both families.
struct Cidr {
    std::array<uint8_t, 16> addr{};
    uint8_t prefix = 128;  // in bits over the 16-byte form (IPv4 /24 is 96 + 24)
};

// `any`, a single address or CIDR, a `[list]` with nesting, `!negation` of an element or list,
// and `$VARIABLES` — already expanded by the parser.
struct AddressSet {
    bool any = true;
    std::vector<Cidr> include;  // empty with any=false: matches nothing
    std::vector<Cidr> exclude;
};

struct PortRange {
    uint16_t lo = 0, hi = 65535;
};
struct PortSet {
    bool any = true;
    std::vector<PortRange> include;
    std::vector<PortRange> exclude;
};

// ---- payload inspection ------------------------------------------------------------------------
// Which bytes an inspection reads. Payload: the packet's application payload (TCP segment or UDP
// datagram; for an application-protocol rule, only on flows of that protocol). Field: the bytes
// of an application field of one PDU (sticky buffers such as `modbus_data`, `dnp3_data`, or our
// `buffer: modbus.data;`).
struct BufferRef {
    const dissect::FieldDesc* field = nullptr;  // nullptr: the payload
};

struct Content {
    std::string bytes;  // |hex| already decoded
    bool negated = false;
    bool nocase = false;
    bool fast_pattern = false;  // explicit fast_pattern (fast_pattern:only is the same for us)
    bool rawbytes = false;
    std::optional<int32_t> offset, depth, distance, within;
    bool startswith = false, endswith = false;  // Suricata startswith / endswith
    BufferRef buffer;

    [[nodiscard]] bool relative() const noexcept { return distance.has_value() || within.has_value(); }
};

struct Pcre {
    std::string pattern;  // without the slashes
    std::string flags;    // the letters after the closing slash, as written (i s m x A E G R U B O ...)
    bool negated = false;
    bool relative = false;  // R
    BufferRef buffer;
};

enum class Endian : uint8_t { Big, Little };
enum class NumBase : uint8_t { Raw, Dec, Hex, Oct };  // Raw: binary bytes; others: `string,dec` ...

struct ByteTest {
    uint8_t nbytes = 1;                                                    // 1..4 (raw), 1..10 (string)
    enum class Op : uint8_t { Lt, Gt, Le, Ge, Eq, And, Xor } op = Op::Eq;  // And/Xor: (x op v) != 0
    uint64_t value = 0;
    bool negated = false;  // `!` before the operator (`!=` is Eq negated)
    int32_t offset = 0;
    bool relative = false;
    Endian endian = Endian::Big;
    NumBase base = NumBase::Raw;
    std::optional<uint32_t> bitmask;
    BufferRef buffer;
};

struct ByteJump {
    uint8_t nbytes = 1;
    int32_t offset = 0;
    bool relative = false;
    uint32_t multiplier = 1;
    Endian endian = Endian::Big;
    NumBase base = NumBase::Raw;
    bool align = false;           // align to a 4-byte boundary
    bool from_beginning = false;  // Snort `from_beginning` / Suricata `from_beginning`
    bool from_end = false;        // Suricata `from_end`
    int32_t post_offset = 0;
    std::optional<uint32_t> bitmask;
    BufferRef buffer;
};

struct IsDataAt {
    int32_t offset = 0;
    bool relative = false;
    bool negated = false;
    BufferRef buffer;
};

// Inspections in rule order: relative ones continue from where the previous one on the same
// buffer left its cursor.
using PayloadOp = std::variant<Content, Pcre, ByteTest, ByteJump, IsDataAt>;

// ---- flow, packet and state options ------------------------------------------------------------
struct FlowOpt {
    bool to_server = false;  // to_server / from_client
    bool to_client = false;  // to_client / from_server
    bool established = false;
    bool not_established = false;
    bool stateless = false;
    bool only_stream = false;
    bool no_stream = false;
};

// TCP `flags:` — bits that must be set (`+` all, `*` any, `!` none), optional ignore mask.
struct TcpFlags {
    enum class Mode : uint8_t { Exact, All, Any, Not } mode = Mode::Exact;
    uint8_t bits = 0;
    uint8_t ignore = 0;
};

enum class FlowbitOp : uint8_t { Set, Unset, Toggle, IsSet, IsNotSet, NoAlert };
struct Flowbit {
    FlowbitOp op = FlowbitOp::Set;
    std::vector<std::string> names;  // `a&b` (all) for set/isset; `a|b` (any) for isset/isnotset
    bool any_of = false;             // names were joined with `|`
};

// threshold (type limit|threshold|both) and detection_filter (which is `threshold` semantics
// applied before the alert, with no limit after).
struct Threshold {
    enum class Type : uint8_t { Limit, Threshold, Both, DetectionFilter } type = Type::Limit;
    enum class Track : uint8_t { BySrc, ByDst, ByRule, ByBoth } track = Track::BySrc;
    uint32_t count = 1;
    uint32_t seconds = 60;
};

// An integer test on an application field of one PDU (`modbus.address: 100-200;`, or what a
// dialect keyword such as `modbus_func:write_single_coil;` or `dnp3_func:cold_restart;` maps to).
// Tests on fields of the same list (FieldDesc::list) must hold on the same list element.
struct FieldTest {
    const dissect::FieldDesc* field = nullptr;
    IntMatch cmp;      // integer fields
    std::string text;  // String/Name fields: equality (case-insensitive) with this text
    bool text_negated = false;
};

// `app-layer-event: modbus.bad_length;` — one of our anomalies, by (protocol, code).
struct AppEvent {
    Protocol proto = Protocol::Unknown;
    uint16_t code = 0;
};

struct Reference {
    std::string system, id;  // `reference: url,example.com` -> {"url", "example.com"}
};

struct Rule {
    // Where it came from, for every message about it.
    std::string file;
    uint32_t line = 0;
    std::string text;  // the rule as written (continuation lines joined)

    Action action = Action::Alert;
    HeaderProto proto = HeaderProto::Ip;
    Protocol app = Protocol::Unknown;  // header protocol `modbus` ..., or app-layer-protocol
    bool app_negated = false;          // app-layer-protocol:!modbus
    AddressSet src, dst;
    PortSet src_ports, dst_ports;
    bool bidirectional = false;  // `<>`

    uint32_t gid = 1, sid = 0, rev = 1;
    std::string msg;
    std::string classtype;
    uint8_t priority = 0;  // 0: from the classtype (default 3)
    std::vector<Reference> references;
    std::vector<std::pair<std::string, std::string>> metadata;  // `key value` pairs

    FlowOpt flow;
    std::optional<IntMatch> dsize;
    std::optional<TcpFlags> tcp_flags;
    std::vector<PayloadOp> payload;  // in rule order
    std::vector<FieldTest> fields;
    std::vector<Flowbit> flowbits;
    std::optional<Threshold> threshold;
    std::optional<Threshold> detection_filter;
    std::vector<AppEvent> app_events;  // any of these anomalies (Suricata lists one per rule)

    // Set when the rule is valid text but cannot run here: it names a protocol or keyword we do
    // not dissect yet ("protocol not available: opcua"). Such a rule is accepted, listed by
    // `rules check`, and never matches.
    std::string unavailable;
};

// The severity a rule's alerts carry: priority when given, else the classtype's, else 3.
uint8_t severity_of(const Rule& r, uint8_t classtype_priority) noexcept;

}  // namespace otsentry::rules
