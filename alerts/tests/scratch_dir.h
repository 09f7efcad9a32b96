// A scratch directory per test under the system temp dir, removed with everything in it.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace otsentry::alerts::test {

class ScratchDir {
public:
    ScratchDir()
    {
        // pid + counter: unique across parallel ctest processes and within one process.
        static std::atomic<unsigned> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("otsentry-alerts-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace otsentry::alerts::test
