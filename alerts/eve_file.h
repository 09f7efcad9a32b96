// The EVE JSON output file: whole batches of lines appended with write(2), size- and time-based
// rotation (eve.json -> eve.json.1 ... or timestamped names, keeping N), reopen for logrotate,
// and recovery from a full disk: a batch that cannot be written whole is cut back off the file,
// so the file only ever holds complete lines, and the next batch tries again.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace otsentry::alerts {

struct EveFileConfig {
    std::string path;                        // "-": standard output (no rotation, no reopen)
    uint64_t rotate_bytes = 0;               // rotate when the file reaches this size (0: never)
    std::chrono::seconds rotate_seconds{0};  // rotate when the file is this old (0: never)
    // Rotated files kept: eve.json.1 (newest) ... eve.json.<keep>; older ones are removed.
    unsigned keep = 5;
    // Name rotated files eve.json.<UTC YYYYmmddTHHMMSS> instead of numbering them (still keeping
    // `keep` of them); a shipper that tails by name then never sees a name reused.
    bool timestamped = false;
};

class EveFile {
public:
    using Clock = std::chrono::system_clock;

    // Opens the file in append mode; throws std::runtime_error naming it when it cannot.
    explicit EveFile(EveFileConfig cfg, Clock::time_point now = Clock::now());
    ~EveFile();
    EveFile(const EveFile&) = delete;
    EveFile& operator=(const EveFile&) = delete;

    // Lines are collected (without their newline) and written by commit() as one batch.
    void append(std::string_view line);
    [[nodiscard]] size_t pending_lines() const noexcept { return pending_lines_; }
    // Writes the collected lines. On failure (ENOSPC, EIO...) returns false with errno_value()
    // set, removes whatever part of the batch reached the file (a regular file keeps only whole
    // lines) and drops the batch: the caller counts it. Either way the buffer is empty after.
    bool commit();
    // Rotates if the size or the age says so. Call between batches. False when the rename or the
    // new file failed (errno_value()); writing goes on into the old file, or is retried on the
    // next commit when no file is open.
    bool maybe_rotate(Clock::time_point now = Clock::now());
    // Rotates now, whatever the size or age.
    bool rotate(Clock::time_point now = Clock::now());
    // Closes and reopens the path: after logrotate has renamed the file, new lines go to a new
    // file of the old name.
    bool reopen(Clock::time_point now = Clock::now());

    [[nodiscard]] int errno_value() const noexcept { return errno_; }
    [[nodiscard]] const std::string& path() const noexcept { return cfg_.path; }
    [[nodiscard]] std::string display_name() const { return is_stdout_ ? "<stdout>" : cfg_.path; }
    [[nodiscard]] uint64_t size() const noexcept { return size_; }
    [[nodiscard]] uint64_t rotations() const noexcept { return rotations_; }
    // The rotated files that exist now, newest first (numbered or timestamped).
    [[nodiscard]] std::vector<std::string> rotated_files() const;

private:
    bool open_file(Clock::time_point now);
    void close_file();
    bool write_all(const char* data, size_t len);
    bool rotate_numbered();
    bool rotate_timestamped(Clock::time_point now);

    EveFileConfig cfg_;
    int fd_ = -1;
    bool is_stdout_ = false;
    std::string buffer_;
    size_t pending_lines_ = 0;
    uint64_t size_ = 0;  // bytes in the current file
    Clock::time_point opened_{};
    uint64_t rotations_ = 0;
    int errno_ = 0;
};

}  // namespace otsentry::alerts
