// A small tmpfs mounted for one test, to run out of disk space for real (SQLITE_FULL, ENOSPC).
// Mounting needs root (CAP_SYS_ADMIN); where it is refused, available() is false and the test
// skips itself.
#pragma once

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <sys/mount.h>
#include <unistd.h>

namespace otsentry::alerts::test {

class SmallFs {
public:
    explicit SmallFs(size_t bytes)
    {
        std::string tmpl = (std::filesystem::temp_directory_path() / "otsentry-smallfs-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (!::mkdtemp(buf.data())) {
            reason_ = std::string("mkdtemp: ") + std::strerror(errno);
            return;
        }
        dir_ = buf.data();
        const std::string opts = "size=" + std::to_string(bytes) + ",mode=0700";
        if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, opts.c_str()) != 0) {
            reason_ = std::string("cannot mount a tmpfs (needs root): ") + std::strerror(errno);
            return;
        }
        mounted_ = true;
    }
    ~SmallFs()
    {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
        if (!dir_.empty()) ::rmdir(dir_.c_str());
    }
    SmallFs(const SmallFs&) = delete;
    SmallFs& operator=(const SmallFs&) = delete;

    [[nodiscard]] bool available() const { return mounted_; }
    [[nodiscard]] const std::string& reason() const { return reason_; }
    [[nodiscard]] std::string file(const std::string& name) const { return dir_ + "/" + name; }

    // Fills the file system with `name` until a write fails; returns the bytes written.
    size_t fill(const std::string& name) const
    {
        std::ofstream out(file(name), std::ios::binary);
        const std::string chunk(4096, 'x');
        size_t written = 0;
        while (out.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) && out.flush())
            written += chunk.size();
        return written;
    }
    void free(const std::string& name) const
    {
        std::error_code ec;
        std::filesystem::remove(file(name), ec);
    }

private:
    std::string dir_;
    std::string reason_;
    bool mounted_ = false;
};

}  // namespace otsentry::alerts::test
