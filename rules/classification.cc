#include "rules/classification.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "rules/compare.h"

namespace otsentry::rules {

namespace {

struct Standard {
    std::string_view name, description;
    uint8_t priority;
};

// The entries of the classification.config shipped with Snort 2.9 and Suricata (the Suricata
// file adds the last nine).
constexpr Standard standard[] = {
    {"not-suspicious", "Not Suspicious Traffic", 3},
    {"unknown", "Unknown Traffic", 3},
    {"bad-unknown", "Potentially Bad Traffic", 2},
    {"attempted-recon", "Attempted Information Leak", 2},
    {"successful-recon-limited", "Information Leak", 2},
    {"successful-recon-largescale", "Large Scale Information Leak", 2},
    {"attempted-dos", "Attempted Denial of Service", 2},
    {"successful-dos", "Denial of Service", 2},
    {"attempted-user", "Attempted User Privilege Gain", 1},
    {"unsuccessful-user", "Unsuccessful User Privilege Gain", 1},
    {"successful-user", "Successful User Privilege Gain", 1},
    {"attempted-admin", "Attempted Administrator Privilege Gain", 1},
    {"successful-admin", "Successful Administrator Privilege Gain", 1},
    {"rpc-portmap-decode", "Decode of an RPC Query", 2},
    {"shellcode-detect", "Executable code was detected", 1},
    {"string-detect", "A suspicious string was detected", 3},
    {"suspicious-filename-detect", "A suspicious filename was detected", 2},
    {"suspicious-login", "An attempted login using a suspicious username was detected", 2},
    {"system-call-detect", "A system call was detected", 2},
    {"tcp-connection", "A TCP connection was detected", 4},
    {"trojan-activity", "A Network Trojan was detected", 1},
    {"unusual-client-port-connection", "A client was using an unusual port", 2},
    {"network-scan", "Detection of a Network Scan", 3},
    {"denial-of-service", "Detection of a Denial of Service Attack", 2},
    {"non-standard-protocol", "Detection of a non-standard protocol or event", 2},
    {"protocol-command-decode", "Generic Protocol Command Decode", 3},
    {"web-application-activity", "access to a potentially vulnerable web application", 2},
    {"web-application-attack", "Web Application Attack", 1},
    {"misc-activity", "Misc activity", 3},
    {"misc-attack", "Misc Attack", 2},
    {"icmp-event", "Generic ICMP event", 3},
    {"inappropriate-content", "Inappropriate Content was Detected", 1},
    {"policy-violation", "Potential Corporate Privacy Violation", 1},
    {"default-login-attempt", "Attempt to login by a default username and password", 2},
    {"sdf", "Sensitive Data was Transmitted Across the Network", 2},
    {"file-format", "Known malicious file or file based exploit", 1},
    {"malware-cnc", "Known malware command and control traffic", 1},
    {"client-side-exploit", "Known client side exploit attempt", 1},
    {"targeted-activity", "Targeted Malicious Activity was Detected", 1},
    {"exploit-kit", "Exploit Kit Activity Detected", 1},
    {"external-ip-check", "Device Retrieving External IP Address Detected", 2},
    {"domain-c2", "Domain Observed Used for C2 Detected", 1},
    {"pup-activity", "Possibly Unwanted Program Detected", 2},
    {"credential-theft", "Successful Credential Theft Detected", 1},
    {"social-engineering", "Possible Social Engineering Attempted", 2},
    {"coin-mining", "Crypto Currency Mining Activity Detected", 2},
    {"command-and-control", "Malware Command and Control Activity Detected", 1},
};

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0)
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0)
        s.remove_suffix(1);
    return s;
}

}  // namespace

Classifications::Classifications()
{
    for (const auto& s : standard)
        table_.emplace(std::string{s.name},
                       ClassType{std::string{s.name}, std::string{s.description}, s.priority});
}

const ClassType* Classifications::find(std::string_view name) const
{
    const auto it = table_.find(name);
    return it == table_.end() ? nullptr : &it->second;
}

bool Classifications::load_text(std::string_view text, std::string_view origin, std::string& error)
{
    size_t line_no = 0;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        auto fail = [&](const std::string& why) {
            error = std::string{origin} + ":" + std::to_string(line_no) + ": " + why;
            return false;
        };
        constexpr std::string_view prefix = "config classification:";
        if (!line.starts_with(prefix))
            return fail("expected 'config classification: name,description,priority'");
        const std::string_view body = trim(line.substr(prefix.size()));
        const size_t c1 = body.find(',');
        const size_t c2 = body.rfind(',');
        if (c1 == std::string_view::npos || c2 == c1) return fail("expected name,description,priority");
        const std::string_view name = trim(body.substr(0, c1));
        const std::string_view desc = trim(body.substr(c1 + 1, c2 - c1 - 1));
        if (name.empty()) return fail("empty classtype name");
        for (const char c : name)
            if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_')
                return fail("invalid character in classtype name '" + std::string{name} + "'");
        std::string why;
        auto prio = parse_number(body.substr(c2 + 1), IntLimit{"priority", 8}, why);
        if (!prio || *prio == 0) return fail("priority must be a number 1..255");
        table_[std::string{name}] =
            ClassType{std::string{name}, std::string{desc}, static_cast<uint8_t>(*prio)};
    }
    return true;
}

bool Classifications::load_file(const std::string& path, std::string& error)
{
    std::ifstream in{path, std::ios::binary};
    if (!in) {
        error = path + ": cannot read the file";
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return load_text(ss.str(), path, error);
}

const Classifications& default_classifications()
{
    static const Classifications c;
    return c;
}

}  // namespace otsentry::rules
