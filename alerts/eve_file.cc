#include "alerts/eve_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace otsentry::alerts {

namespace {

namespace fs = std::filesystem;

std::string numbered(const std::string& path, unsigned n)
{
    return path + "." + std::to_string(n);
}

// "20261124T092317": sorts as text in time order.
std::string utc_stamp(EveFile::Clock::time_point now)
{
    const std::time_t t = EveFile::Clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    const size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
    return std::string(buf, n);
}

bool is_stamp_suffix(std::string_view s)
{
    // YYYYmmddTHHMMSS, optionally followed by "-<n>" when two rotations share a second.
    if (s.size() < 15 || s[8] != 'T') return false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i == 8) continue;
        if (i == 15) {
            if (s[i] != '-' || s.size() == 16) return false;
            continue;
        }
        if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
}

}  // namespace

EveFile::EveFile(EveFileConfig cfg, Clock::time_point now) : cfg_(std::move(cfg))
{
    buffer_.reserve(size_t{1} << 20);
    if (cfg_.path == "-") {
        fd_ = STDOUT_FILENO;
        is_stdout_ = true;
        opened_ = now;
        return;
    }
    if (!open_file(now))
        throw std::runtime_error(cfg_.path + ": cannot open for writing: " + std::strerror(errno_));
}

EveFile::~EveFile()
{
    close_file();
}

bool EveFile::open_file(Clock::time_point now)
{
    // O_APPEND, like Suricata: a restarted sensor must not truncate what a shipper has not read.
    const int fd = ::open(cfg_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) {
        errno_ = errno;
        return false;
    }
    struct stat st {};
    size_ = ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    fd_ = fd;
    opened_ = now;
    return true;
}

void EveFile::close_file()
{
    if (fd_ >= 0 && !is_stdout_) ::close(fd_);
    if (!is_stdout_) fd_ = -1;
}

void EveFile::append(std::string_view line)
{
    buffer_.append(line);
    buffer_.push_back('\n');
    ++pending_lines_;
}

bool EveFile::write_all(const char* data, size_t len)
{
    while (len > 0) {
        const ssize_t n = ::write(fd_, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            errno_ = errno;
            return false;
        }
        if (n == 0) {
            errno_ = EIO;
            return false;
        }
        data += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

bool EveFile::commit()
{
    if (buffer_.empty()) return true;
    bool ok = true;
    // A previous open (rotation, reopen) failed: try again now, the cause may be gone.
    if (fd_ < 0 && !open_file(Clock::now())) ok = false;
    if (ok) {
        const uint64_t before = size_;
        ok = write_all(buffer_.data(), buffer_.size());
        if (ok) {
            size_ += buffer_.size();
        } else if (!is_stdout_) {
            // Cut the partly written batch off so that readers never see a torn line. With
            // O_APPEND the batch started at the size the file had (we are its only writer).
            struct stat st {};
            if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > before)
                (void)::ftruncate(fd_, static_cast<off_t>(before));
        }
    }
    buffer_.clear();
    pending_lines_ = 0;
    return ok;
}

bool EveFile::maybe_rotate(Clock::time_point now)
{
    if (is_stdout_ || fd_ < 0) return true;
    const bool by_size = cfg_.rotate_bytes != 0 && size_ >= cfg_.rotate_bytes;
    const bool by_age = cfg_.rotate_seconds.count() > 0 && size_ > 0 && now - opened_ >= cfg_.rotate_seconds;
    if (!by_size && !by_age) return true;
    return rotate(now);
}

bool EveFile::rotate(Clock::time_point now)
{
    if (is_stdout_) return true;
    close_file();
    const bool renamed = cfg_.timestamped ? rotate_timestamped(now) : rotate_numbered();
    // Open the (new) file even when renaming failed: lines keep going to the old name.
    const bool opened = open_file(now);
    if (renamed && opened) ++rotations_;
    return renamed && opened;
}

bool EveFile::rotate_numbered()
{
    std::error_code ec;
    if (cfg_.keep == 0) {
        fs::remove(cfg_.path, ec);
        if (ec) errno_ = ec.value();
        return !ec;
    }
    fs::remove(numbered(cfg_.path, cfg_.keep), ec);
    for (unsigned k = cfg_.keep; k > 1; --k) {
        const std::string from = numbered(cfg_.path, k - 1);
        if (fs::exists(from, ec)) fs::rename(from, numbered(cfg_.path, k), ec);
    }
    fs::rename(cfg_.path, numbered(cfg_.path, 1), ec);
    if (ec) errno_ = ec.value();
    return !ec;
}

bool EveFile::rotate_timestamped(Clock::time_point now)
{
    std::error_code ec;
    std::string target = cfg_.path + "." + utc_stamp(now);
    for (unsigned n = 1; fs::exists(target, ec); ++n)
        target = cfg_.path + "." + utc_stamp(now) + "-" + std::to_string(n);
    fs::rename(cfg_.path, target, ec);
    if (ec) {
        errno_ = ec.value();
        return false;
    }
    const auto files = rotated_files();
    for (size_t i = cfg_.keep; i < files.size(); ++i)
        fs::remove(files[i], ec);
    return true;
}

bool EveFile::reopen(Clock::time_point now)
{
    if (is_stdout_) return true;
    close_file();
    return open_file(now);
}

std::vector<std::string> EveFile::rotated_files() const
{
    std::vector<std::string> out;
    if (is_stdout_) return out;
    if (!cfg_.timestamped) {
        std::error_code ec;
        for (unsigned k = 1; k <= cfg_.keep; ++k)
            if (fs::exists(numbered(cfg_.path, k), ec)) out.push_back(numbered(cfg_.path, k));
        return out;
    }
    const fs::path p(cfg_.path);
    const std::string prefix = p.filename().string() + ".";
    std::error_code ec;
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
            is_stamp_suffix(std::string_view(name).substr(prefix.size())))
            out.push_back((p.has_parent_path() ? (dir / name) : fs::path(name)).string());
    }
    // Newest first. "-<n>" suffixes sort after the plain stamp of the same second, as they should.
    std::sort(out.begin(), out.end(), std::greater<>());
    return out;
}

}  // namespace otsentry::alerts
