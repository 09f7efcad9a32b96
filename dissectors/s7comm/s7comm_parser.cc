#include "dissectors/s7comm/s7comm_parser.h"

#include "dissectors/common/byte_reader.h"

namespace otsentry::s7comm {

namespace {

using dissect::ByteReader;

constexpr uint8_t var_spec_item = 0x12;
constexpr uint8_t syntax_s7any = 0x10;
constexpr uint8_t s7any_spec_len = 10;
constexpr size_t filename_len = 9;  // "_0800001P"
constexpr size_t szl_0011_record_len = 28;
constexpr size_t szl_001c_record_len = 34;

void flag(Pdu& p, Anomaly a) noexcept
{
    p.anomalies |= bit(a);
}

std::span<const uint8_t> trim(std::span<const uint8_t> s) noexcept
{
    while (!s.empty() && (s.back() == 0 || s.back() == ' '))
        s = s.first(s.size() - 1);
    return s;
}

// "_0800001P": '_', '0', type octet, five decimal digits, file system letter.
void parse_filename(std::span<const uint8_t> name, Pdu& p) noexcept
{
    p.filename = name;
    if (name.size() < filename_len - 1) return;
    const size_t at = name[0] == '_' ? 1 : 0;  // PI parameter blocks omit the '_'
    if (name.size() < at + 8) return;
    uint32_t n = 0;
    for (size_t i = at + 2; i < at + 7; ++i) {
        if (name[i] < '0' || name[i] > '9') return;
        n = n * 10 + static_cast<uint32_t>(name[i] - '0');
    }
    p.block_type = name[at + 1];
    p.block_number = n;
    p.set(Has::Block);
}

// Read var / write var items (parameter part after function and item count).
void parse_var_specs(ByteReader& r, Pdu& p) noexcept
{
    for (unsigned i = 0; i < p.item_count; ++i) {
        if (r.empty()) {
            flag(p, Anomaly::ItemCountMismatch);
            return;
        }
        Item it;
        it.var_spec = r.read_u8();
        const uint8_t spec_len = r.read_u8();
        const auto spec = r.read_bytes(spec_len);
        if (!r.ok() || it.var_spec != var_spec_item || spec_len == 0) {
            flag(p, Anomaly::MalformedParameter);
            return;
        }
        ByteReader s{spec};
        it.syntax_id = s.read_u8();
        if (it.syntax_id == syntax_s7any && spec_len == s7any_spec_len) {
            it.transport_size = s.read_u8();
            it.length = s.read_be<uint16_t>();
            it.db = s.read_be<uint16_t>();
            it.area = s.read_u8();
            it.address = static_cast<uint32_t>(s.read_u8()) << 16;
            it.address |= s.read_be<uint16_t>();
            it.has_spec = true;
        } else if (it.syntax_id == syntax_s7any) {
            flag(p, Anomaly::MalformedParameter);
        }
        if (p.items_parsed < max_items) p.items[p.items_parsed++] = it;
    }
    if (!r.empty()) flag(p, Anomaly::ItemCountMismatch);
}

// Data part of write var requests and read var responses: per item return code, transport
// size, length, data, a fill octet after odd-length data except after the last item.
void parse_data_items(ByteReader& r, Pdu& p, unsigned count, bool response) noexcept
{
    for (unsigned i = 0; i < count; ++i) {
        if (r.empty()) {
            flag(p, Anomaly::ItemCountMismatch);
            return;
        }
        Item tmp;
        Item& it = i < p.items_parsed ? p.items[i] : tmp;
        it.return_code = r.read_u8();
        it.has_return_code = true;
        // A failed read item (return code other than 0xFF success) may end after ret/tsize/len.
        if (r.remaining() < 3) {
            if (response && r.ok()) {
                r.skip(r.remaining());
                if (i + 1 != count) flag(p, Anomaly::ItemCountMismatch);
                return;
            }
            flag(p, Anomaly::MalformedParameter);
            return;
        }
        it.data_transport_size = r.read_u8();
        it.data_length = r.read_be<uint16_t>();
        // A failed item of a response carries no data, whatever length it declares (Snap7 repeats
        // the requested length; Wireshark reads no data either): only success (0xFF) is followed
        // by data. In a write request the byte is reserved (0x00) and the data always follows.
        const bool failed = response && it.return_code != 0xFF;
        const size_t n = failed ? size_t{0} : item_data_octets(it.data_transport_size, it.data_length);
        it.data = r.read_bytes(n);
        if (!r.ok()) {
            flag(p, Anomaly::MalformedParameter);
            return;
        }
        it.has_data = true;
        if (i >= p.items_parsed && p.items_parsed < max_items) p.items[p.items_parsed++] = it;
        if ((n & 1) != 0 && i + 1 != count && !r.empty()) r.skip(1);
    }
    if (!r.empty()) flag(p, Anomaly::ItemCountMismatch);
}

void parse_job(std::span<const uint8_t> param, std::span<const uint8_t> data, Pdu& p) noexcept
{
    ByteReader r{param};
    p.function = r.read_u8();
    if (!r.ok()) return;
    p.set(Has::Function);
    if (!known_function(p.function)) {
        flag(p, Anomaly::UnknownFunction);
        return;
    }
    bool ok = true;
    switch (static_cast<Function>(p.function)) {
        case Function::SetupCommunication:
            r.skip(1);
            p.max_amq_calling = r.read_be<uint16_t>();
            p.max_amq_called = r.read_be<uint16_t>();
            p.pdu_size = r.read_be<uint16_t>();
            ok = r.ok();
            if (ok) p.set(Has::Setup);
            break;
        case Function::ReadVar:
        case Function::WriteVar: {
            p.item_count = r.read_u8();
            if (!r.ok()) break;
            p.set(Has::ItemCount);
            parse_var_specs(r, p);
            if (p.function == static_cast<uint8_t>(Function::WriteVar)) {
                ByteReader d{data};
                parse_data_items(d, p, p.item_count, false);
            }
            return;
        }
        case Function::RequestDownload:
        case Function::DownloadBlock:
        case Function::DownloadEnded:
        case Function::StartUpload:
        case Function::Upload:
        case Function::EndUpload: {
            p.function_status = r.read_u8();
            r.skip(2);
            p.upload_id = r.read_be<uint32_t>();
            if (!r.ok()) {
                ok = false;
                break;
            }
            p.set(Has::UploadId);
            const auto fn = p.function;
            if (fn == 0x1E || fn == 0x1F) break;  // upload / end upload: no file name
            const uint8_t len = r.read_u8();
            const auto name = r.read_bytes(len);
            ok = r.ok();
            if (ok) parse_filename(name, p);
            break;
        }
        case Function::PiService: {
            r.skip(7);
            const uint16_t block_len = r.read_be<uint16_t>();
            p.pi_parameters = r.read_bytes(block_len);
            const uint8_t len = r.read_u8();
            p.pi_service = r.read_bytes(len);
            ok = r.ok();
            if (!ok) break;
            p.set(Has::Pi);
            // _INSE/_DELE: block count, an unused octet, then "0800001P" per block.
            if (p.pi_parameters.size() >= 10 && p.pi_service.size() == 5 && p.pi_service[0] == '_')
                parse_filename(p.pi_parameters.subspan(2), p);
            break;
        }
        case Function::PlcStop: {
            r.skip(5);
            const uint8_t len = r.read_u8();
            p.pi_service = r.read_bytes(len);
            ok = r.ok();
            if (ok) p.set(Has::Pi);
            break;
        }
        case Function::CpuServices:
            break;
    }
    if (!ok) flag(p, Anomaly::MalformedParameter);
}

void parse_ack_data(std::span<const uint8_t> param, std::span<const uint8_t> data, Pdu& p) noexcept
{
    ByteReader r{param};
    p.function = r.read_u8();
    if (!r.ok()) return;  // an error ack-data may carry no parameter
    p.set(Has::Function);
    if (!known_function(p.function)) {
        flag(p, Anomaly::UnknownFunction);
        return;
    }
    ByteReader d{data};
    switch (static_cast<Function>(p.function)) {
        case Function::SetupCommunication:
            r.skip(1);
            p.max_amq_calling = r.read_be<uint16_t>();
            p.max_amq_called = r.read_be<uint16_t>();
            p.pdu_size = r.read_be<uint16_t>();
            if (r.ok())
                p.set(Has::Setup);
            else
                flag(p, Anomaly::MalformedParameter);
            break;
        case Function::ReadVar:
            p.item_count = r.read_u8();
            if (!r.ok()) break;
            p.set(Has::ItemCount);
            parse_data_items(d, p, p.item_count, true);
            break;
        case Function::WriteVar:
            p.item_count = r.read_u8();
            if (!r.ok()) break;
            p.set(Has::ItemCount);
            for (unsigned i = 0; i < p.item_count; ++i) {
                Item it;
                it.return_code = d.read_u8();
                if (!d.ok()) {
                    flag(p, Anomaly::ItemCountMismatch);
                    break;
                }
                it.has_return_code = true;
                if (p.items_parsed < max_items) p.items[p.items_parsed++] = it;
            }
            if (!d.empty()) flag(p, Anomaly::ItemCountMismatch);
            break;
        case Function::StartUpload: {
            p.function_status = r.read_u8();
            r.skip(2);
            p.upload_id = r.read_be<uint32_t>();
            if (r.ok()) p.set(Has::UploadId);
            break;
        }
        case Function::DownloadBlock:
        case Function::Upload: {
            p.function_status = r.read_u8();
            const uint16_t len = d.read_be<uint16_t>();
            d.skip(2);
            p.block_data = d.read_bytes(len);
            if (d.ok())
                p.set(Has::BlockData);
            else if (!data.empty())
                flag(p, Anomaly::MalformedParameter);
            break;
        }
        default:
            break;
    }
}

void parse_szl_records(ByteReader& d, Pdu& p) noexcept
{
    p.szl_record_len = d.read_be<uint16_t>();
    p.szl_record_count = d.read_be<uint16_t>();
    if (!d.ok()) return;
    const uint16_t list = p.szl_id & 0x00FF;
    const bool ident11 = list == 0x11 && p.szl_record_len == szl_0011_record_len;
    const bool ident1c = list == 0x1C && p.szl_record_len == szl_001c_record_len;
    if (!ident11 && !ident1c) return;
    while (d.remaining() >= p.szl_record_len && p.szl_records_kept < max_szl_records) {
        ByteReader rec{d.read_bytes(p.szl_record_len)};
        SzlRecord& s = p.szl[p.szl_records_kept++];
        s.index = rec.read_be<uint16_t>();
        if (ident11) {
            s.text = trim(rec.read_bytes(20));
            rec.skip(2);  // BGTyp
            for (auto& v : s.version)
                v = rec.read_u8();
        } else {
            s.text = trim(rec.read_bytes(32));
        }
    }
    p.set(ident11 ? Has::Identity11 : Has::Identity1C);
}

void parse_userdata(std::span<const uint8_t> param, std::span<const uint8_t> data, Pdu& p) noexcept
{
    ByteReader r{param};
    // Parameter head 00 01 12, parameter length (4 or 8), method, type|group, subfunction, seq.
    r.skip(3);
    const uint8_t plen = r.read_u8();
    p.ud_method = r.read_u8();
    const uint8_t tg = r.read_u8();
    p.ud_subfunction = r.read_u8();
    p.ud_sequence = r.read_u8();
    if (!r.ok()) {
        flag(p, Anomaly::MalformedParameter);
        return;
    }
    p.ud_type = tg >> 4;
    p.ud_group = tg & 0x0F;
    p.set(Has::Userdata);
    if (plen == 8) {
        p.ud_data_unit_ref = r.read_u8();
        p.ud_last_data_unit = r.read_u8();
        p.ud_error_code = r.read_be<uint16_t>();
        if (r.ok()) p.set(Has::UserdataError);
    }
    // The mode-transition push (parameter head 01 00 10: type push, group 0, subfunction = the
    // CPU's new mode, e.g. STOP) announces 16 in its length octet though 4 octets follow; the
    // CPUs send it so and Wireshark decodes it alike, so it is not malformed.
    const bool mode_transition =
        param.size() >= 3 && param[0] == 0x01 && param[1] == 0x00 && param[2] == 0x10;
    if ((plen != 4 && plen != 8 && !mode_transition) || !r.ok()) flag(p, Anomaly::MalformedParameter);
    if (p.ud_group == static_cast<uint8_t>(UserdataGroup::Security) && p.ud_subfunction == security_password)
        p.set(Has::Password);

    ByteReader d{data};
    p.return_code = d.read_u8();
    d.skip(1);  // transport size
    const uint16_t len = d.read_be<uint16_t>();
    if (!d.ok()) return;  // no data part (some push messages)
    p.set(Has::ReturnCode);
    ByteReader body{d.read_bytes(std::min<size_t>(len, d.remaining()))};
    if (len > data.size() - 4) flag(p, Anomaly::MalformedParameter);
    // Follow-up fragments of a long response carry no SZL header; the session, which knows the
    // request, drops what was read here for them.
    if (p.ud_group == static_cast<uint8_t>(UserdataGroup::CpuFunctions) && p.ud_subfunction == cpu_read_szl &&
        body.remaining() >= 4) {
        p.szl_id = body.read_be<uint16_t>();
        p.szl_index = body.read_be<uint16_t>();
        p.set(Has::Szl);
        if (p.ud_type == userdata_response) parse_szl_records(body, p);
    }
    if (p.ud_group == static_cast<uint8_t>(UserdataGroup::TimeFunctions) && body.remaining() >= 10) {
        // Read clock responses and set clock requests carry a reserved octet, then the
        // 8-octet BCD time (year 2 digits .. milliseconds + weekday); we keep 10 octets.
        p.time = body.read_bytes(10);
        p.set(Has::Time);
    }
}

}  // namespace

size_t item_data_octets(uint8_t transport_size, uint16_t length) noexcept
{
    if (transport_size == 0x03 || transport_size == 0x04 || transport_size == 0x05)
        return (static_cast<size_t>(length) + 7) / 8;
    return length;
}

void describe_tpdu(const cotp::Tpdu& t, Pdu& out) noexcept
{
    out = Pdu{};
    out.set(Has::Cotp);
    out.tpdu_type = static_cast<uint8_t>(t.type);
    out.tpdu_size_code = t.tpdu_size_code;
    out.cotp_reason = t.reason;
    if (t.type == cotp::TpduType::ConnectRequest || t.type == cotp::TpduType::ConnectConfirm) {
        out.tsap_src = cotp::tsap_value(t.src_tsap);
        out.tsap_dst = cotp::tsap_value(t.dst_tsap);
        if (!t.src_tsap.empty() || !t.dst_tsap.empty()) out.set(Has::Tsap);
        // The PLC's TSAP: the called TSAP, in the CR and in the CC alike (ISO 8073 §13.3.4: the CC
        // repeats the calling and called TSAPs, it does not swap them; real PLCs do so). Its high
        // byte is the connection type (1 PG, 2 OP, 3 S7 basic), the low one rack << 5 | slot.
        const uint16_t plc = out.tsap_dst;
        const uint8_t type = static_cast<uint8_t>(plc >> 8);
        if (type >= 1 && type <= 3) out.set(Has::Rack);
    }
}

ParseStatus parse_pdu(std::span<const uint8_t> in, Pdu& out) noexcept
{
    out = Pdu{};
    if (in.empty() || in[0] != protocol_id) return ParseStatus::NotS7;
    ByteReader r{in};
    r.skip(1);
    out.rosctr = r.read_u8();
    out.redundancy_id = r.read_be<uint16_t>();
    out.pdu_ref = r.read_be<uint16_t>();
    out.param_len = r.read_be<uint16_t>();
    out.data_len = r.read_be<uint16_t>();
    if (!r.ok()) return ParseStatus::NotS7;
    const bool acks = out.rosctr == static_cast<uint8_t>(Rosctr::Ack) ||
                      out.rosctr == static_cast<uint8_t>(Rosctr::AckData);
    if (acks) {
        out.error_class = r.read_u8();
        out.error_code = r.read_u8();
        if (!r.ok()) return ParseStatus::NotS7;
        out.set(Has::Error);
    }
    if (!known_rosctr(out.rosctr)) {
        flag(out, Anomaly::UnknownRosctr);
        return ParseStatus::Ok;
    }
    const size_t hlen = acks ? ack_header_len : header_len;
    if (hlen + out.param_len + out.data_len != in.size()) flag(out, Anomaly::BadLength);
    const auto param = r.read_bytes(std::min<size_t>(out.param_len, r.remaining()));
    const auto data = r.read_bytes(std::min<size_t>(out.data_len, r.remaining()));
    switch (static_cast<Rosctr>(out.rosctr)) {
        case Rosctr::Job:
            parse_job(param, data, out);
            break;
        case Rosctr::AckData:
            parse_ack_data(param, data, out);
            break;
        case Rosctr::Ack:
            break;
        case Rosctr::Userdata:
            parse_userdata(param, data, out);
            break;
    }
    return ParseStatus::Ok;
}

dissect::ProbeResult probe(std::span<const uint8_t> data, Direction /*dir*/) noexcept
{
    const cotp::FirstOctet f = cotp::first_dt_octet(data);
    if (f.result != dissect::ProbeResult::Match) return f.result;
    return f.octet == protocol_id ? dissect::ProbeResult::Match : dissect::ProbeResult::NoMatch;
}

}  // namespace otsentry::s7comm
