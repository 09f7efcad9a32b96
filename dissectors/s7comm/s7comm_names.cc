// Names from the public S7comm descriptions (README.md): ROSCTR, functions, areas, userdata
// groups and subfunctions, block types. Written to EVE as names, never parsed back.
#include "dissectors/s7comm/s7comm_types.h"

namespace otsentry::s7comm {

std::string_view rosctr_name(uint8_t r) noexcept
{
    switch (r) {
        case 1:
            return "job";
        case 2:
            return "ack";
        case 3:
            return "ack_data";
        case 7:
            return "userdata";
        default:
            return "unknown";
    }
}

bool known_function(uint8_t f) noexcept
{
    return function_name(f) != "unknown";
}

std::string_view function_name(uint8_t f) noexcept
{
    switch (static_cast<Function>(f)) {
        case Function::CpuServices:
            return "cpu_services";
        case Function::ReadVar:
            return "read_var";
        case Function::WriteVar:
            return "write_var";
        case Function::RequestDownload:
            return "request_download";
        case Function::DownloadBlock:
            return "download_block";
        case Function::DownloadEnded:
            return "download_ended";
        case Function::StartUpload:
            return "start_upload";
        case Function::Upload:
            return "upload";
        case Function::EndUpload:
            return "end_upload";
        case Function::PiService:
            return "plc_control";
        case Function::PlcStop:
            return "plc_stop";
        case Function::SetupCommunication:
            return "setup_communication";
    }
    return "unknown";
}

std::string_view area_name(uint8_t a) noexcept
{
    switch (a) {
        case 0x03:
            return "system_info";
        case 0x05:
            return "system_flags";
        case 0x06:
            return "analog_inputs_200";
        case 0x07:
            return "analog_outputs_200";
        case 0x1C:
            return "counters";
        case 0x1D:
            return "timers";
        case 0x1E:
            return "iec_counters";
        case 0x1F:
            return "iec_timers";
        case 0x80:
            return "peripheral";
        case 0x81:
            return "inputs";
        case 0x82:
            return "outputs";
        case 0x83:
            return "flags";
        case 0x84:
            return "db";
        case 0x85:
            return "di";
        case 0x86:
            return "local";
        case 0x87:
            return "previous_local";
        default:
            return "unknown";
    }
}

std::string_view userdata_group_name(uint8_t g) noexcept
{
    switch (g) {
        case 0x0:
            return "mode_transition";
        case 0x1:
            return "programmer_commands";
        case 0x2:
            return "cyclic_data";
        case 0x3:
            return "block_functions";
        case 0x4:
            return "cpu_functions";
        case 0x5:
            return "security";
        case 0x6:
            return "pbc_bsend_brecv";
        case 0x7:
            return "time_functions";
        case 0xF:
            return "nc_programming";
        default:
            return "unknown";
    }
}

std::string_view userdata_subfunction_name(uint8_t group, uint8_t sub) noexcept
{
    switch (group) {
        case 0x0:  // mode transition (a push): the subfunction is the CPU's new mode
            switch (sub) {
                case 0x00:
                    return "stop";
                case 0x01:
                    return "warm_restart";
                case 0x02:
                    return "run";
                case 0x03:
                    return "hot_restart";
                case 0x04:
                    return "hold";
                case 0x06:
                    return "cold_restart";
                case 0x09:
                    return "run_redundant";
                case 0x0B:
                    return "link_up";
                case 0x0C:
                    return "update";
                default:
                    return "unknown";
            }
        case 0x1:
            switch (sub) {
                case 0x01:
                    return "request_diag_data";
                case 0x02:
                    return "variable_table";
                case 0x0C:
                    return "erase";
                case 0x0E:
                    return "read_diag_data";
                case 0x0F:
                    return "remove_diag_data";
                case 0x10:
                    return "forces";
                case 0x13:
                    return "request_diag_data_2";
                default:
                    return "unknown";
            }
        case 0x2:
            switch (sub) {
                case 0x01:
                    return "memory";
                case 0x04:
                    return "unsubscribe";
                default:
                    return "unknown";
            }
        case 0x3:
            switch (sub) {
                case 0x01:
                    return "list_blocks";
                case 0x02:
                    return "list_blocks_of_type";
                case 0x03:
                    return "get_block_info";
                default:
                    return "unknown";
            }
        case 0x4:
            switch (sub) {
                case 0x01:
                    return "read_szl";
                case 0x02:
                    return "message_service";
                case 0x03:
                    return "diagnostic_message";
                case 0x05:
                    return "alarm8_indication";
                case 0x06:
                    return "notify_indication";
                case 0x07:
                    return "alarm8_lock";
                case 0x08:
                    return "alarm8_unlock";
                case 0x0B:
                    return "alarm_ack";
                case 0x0C:
                    return "alarm_ack_indication";
                case 0x0D:
                    return "alarm_lock_indication";
                case 0x0E:
                    return "alarm_unlock_indication";
                case 0x11:
                    return "alarm_sq_indication";
                case 0x12:
                    return "alarm_s_indication";
                case 0x13:
                    return "alarm_query";
                case 0x16:
                    return "notify8_indication";
                default:
                    return "unknown";
            }
        case 0x5:
            switch (sub) {
                case 0x01:
                    return "plc_password";
                case 0x02:
                    return "clean_session";
                default:
                    return "unknown";
            }
        case 0x7:
            switch (sub) {
                case 0x01:
                    return "read_clock";
                case 0x02:
                    return "set_clock";
                case 0x03:
                    return "read_clock_following";
                case 0x04:
                    return "set_clock_2";
                default:
                    return "unknown";
            }
        default:
            return "unknown";
    }
}

std::string_view block_type_name(uint8_t c) noexcept
{
    switch (c) {
        case '8':
            return "OB";
        case '9':
            return "CMOD";
        case 'A':
            return "DB";
        case 'B':
            return "SDB";
        case 'C':
            return "FC";
        case 'D':
            return "SFC";
        case 'E':
            return "FB";
        case 'F':
            return "SFB";
        default:
            return "unknown";
    }
}

}  // namespace otsentry::s7comm
