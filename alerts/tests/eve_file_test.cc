#include "alerts/eve_file.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/tests/scratch_dir.h"
#include "alerts/tests/small_fs.h"

namespace otsentry::alerts {
namespace {

using test::ScratchDir;
using test::SmallFs;
using namespace std::chrono_literals;

std::vector<std::string> read_lines(const std::string& path)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

std::string line(int n)
{
    return R"({"event_type":"alert","n":)" + std::to_string(n) + "}";
}

// A fixed wall-clock start, so that age-based rotation does not depend on the real clock.
const EveFile::Clock::time_point t0 = EveFile::Clock::from_time_t(1'700'000'000);

TEST(EveFile, AppendsWholeBatchesAndKeepsExistingLines)
{
    ScratchDir dir;
    const auto path = dir.file("eve.json");
    {
        std::ofstream(path) << line(0) << "\n";
    }
    EveFile f(EveFileConfig{.path = path}, t0);
    EXPECT_EQ(f.size(), line(0).size() + 1);  // opened in append mode
    f.append(line(1));
    f.append(line(2));
    EXPECT_EQ(f.pending_lines(), 2u);
    EXPECT_TRUE(read_lines(path).size() == 1u) << "nothing is written before commit()";
    ASSERT_TRUE(f.commit());
    EXPECT_EQ(f.pending_lines(), 0u);
    EXPECT_EQ(read_lines(path), (std::vector<std::string>{line(0), line(1), line(2)}));
    EXPECT_EQ(f.size(), std::filesystem::file_size(path));
}

TEST(EveFile, UnopenablePathThrowsNamingIt)
{
    ScratchDir dir;
    const auto path = dir.file("missing/eve.json");
    EXPECT_THAT([&] { EveFile f(EveFileConfig{.path = path}); },
                ::testing::ThrowsMessage<std::runtime_error>(
                    path + ": cannot open for writing: No such file or directory"));
}

TEST(EveFile, RotatesBySizeKeepingN)
{
    ScratchDir dir;
    const auto path = dir.file("eve.json");
    const size_t line_len = line(10).size() + 1;
    // Two lines per file: rotation happens between batches, once the file reached the size.
    EveFile f(EveFileConfig{.path = path, .rotate_bytes = 2 * line_len, .keep = 3}, t0);
    for (int n = 10; n < 20; ++n) {
        f.append(line(n));
        ASSERT_TRUE(f.commit());
        ASSERT_TRUE(f.maybe_rotate(t0));
    }
    // 10 lines: 5 files of 2 lines were filled and rotated; 3 rotated files are kept.
    EXPECT_EQ(f.rotations(), 5u);
    EXPECT_EQ(f.rotated_files(), (std::vector<std::string>{path + ".1", path + ".2", path + ".3"}));
    EXPECT_FALSE(std::filesystem::exists(path + ".4"));
    EXPECT_EQ(read_lines(path + ".1"), (std::vector<std::string>{line(18), line(19)}));
    EXPECT_EQ(read_lines(path + ".3"), (std::vector<std::string>{line(14), line(15)}));
    EXPECT_TRUE(read_lines(path).empty());
    EXPECT_EQ(f.size(), 0u);
}

TEST(EveFile, RotatesByAgeOnlyWhenNotEmpty)
{
    ScratchDir dir;
    const auto path = dir.file("eve.json");
    EveFile f(EveFileConfig{.path = path, .rotate_seconds = 60s, .keep = 2}, t0);
    ASSERT_TRUE(f.maybe_rotate(t0 + 120s));  // empty: nothing to rotate
    EXPECT_EQ(f.rotations(), 0u);
    f.append(line(1));
    ASSERT_TRUE(f.commit());
    ASSERT_TRUE(f.maybe_rotate(t0 + 59s));
    EXPECT_EQ(f.rotations(), 0u);
    ASSERT_TRUE(f.maybe_rotate(t0 + 60s));
    EXPECT_EQ(f.rotations(), 1u);
    EXPECT_EQ(read_lines(path + ".1"), std::vector<std::string>{line(1)});
    // The age restarts with the new file.
    f.append(line(2));
    ASSERT_TRUE(f.commit());
    ASSERT_TRUE(f.maybe_rotate(t0 + 119s));
    EXPECT_EQ(f.rotations(), 1u);
    ASSERT_TRUE(f.maybe_rotate(t0 + 120s));
    EXPECT_EQ(f.rotations(), 2u);
    EXPECT_EQ(read_lines(path + ".1"), std::vector<std::string>{line(2)});
    EXPECT_EQ(read_lines(path + ".2"), std::vector<std::string>{line(1)});
}

TEST(EveFile, TimestampedRotationKeepsTheNewestN)
{
    ScratchDir dir;
    const auto path = dir.file("eve.json");
    EveFile f(EveFileConfig{.path = path, .rotate_bytes = 1, .keep = 2, .timestamped = true}, t0);
    for (int n = 0; n < 4; ++n) {
        f.append(line(n));
        ASSERT_TRUE(f.commit());
        ASSERT_TRUE(f.maybe_rotate(t0 + std::chrono::seconds(n)));
    }
    // 1700000000 is 2023-11-14T22:13:20Z.
    EXPECT_EQ(f.rotated_files(),
              (std::vector<std::string>{path + ".20231114T221323", path + ".20231114T221322"}));
    EXPECT_EQ(read_lines(path + ".20231114T221323"), std::vector<std::string>{line(3)});
    EXPECT_FALSE(std::filesystem::exists(path + ".20231114T221321"));
    // Two rotations in the same second get distinct names.
    f.append(line(9));
    ASSERT_TRUE(f.commit());
    ASSERT_TRUE(f.rotate(t0 + 3s));
    EXPECT_TRUE(std::filesystem::exists(path + ".20231114T221323-1"));
    EXPECT_EQ(f.rotated_files().size(), 2u);
}

TEST(EveFile, ReopenFollowsLogrotate)
{
    ScratchDir dir;
    const auto path = dir.file("eve.json");
    EveFile f(EveFileConfig{.path = path}, t0);
    f.append(line(1));
    ASSERT_TRUE(f.commit());
    // logrotate renames the file; until the reopen our descriptor still writes the renamed one.
    std::filesystem::rename(path, path + ".old");
    f.append(line(2));
    ASSERT_TRUE(f.commit());
    ASSERT_TRUE(f.reopen(t0));
    f.append(line(3));
    ASSERT_TRUE(f.commit());
    EXPECT_EQ(read_lines(path + ".old"), (std::vector<std::string>{line(1), line(2)}));
    EXPECT_EQ(read_lines(path), std::vector<std::string>{line(3)});
}

TEST(EveFile, DevFullFailsAndDropsTheBatch)
{
    if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
    EveFile f(EveFileConfig{.path = "/dev/full"}, t0);
    f.append(line(1));
    EXPECT_FALSE(f.commit());
    EXPECT_EQ(f.errno_value(), ENOSPC);
    EXPECT_EQ(f.pending_lines(), 0u);
}

TEST(EveFile, FullDiskKeepsOnlyWholeLinesAndRecovers)
{
    SmallFs fs(256 * 1024);
    if (!fs.available()) GTEST_SKIP() << fs.reason();
    const auto path = fs.file("eve.json");
    EveFile f(EveFileConfig{.path = path}, t0);
    fs.fill("filler");
    // Batches of 100 lines of ~1 kB: more than the few bytes the filler may have left.
    const std::string pad(1000, 'p');
    int written = 0, failed = 0, n = 0;
    for (int batch = 0; batch < 5; ++batch) {
        for (int i = 0; i < 100; ++i, ++n)
            f.append(R"({"n":)" + std::to_string(n) + R"(,"pad":")" + pad + R"("})");
        (f.commit() ? written : failed) += 100;
    }
    EXPECT_GT(failed, 0);
    EXPECT_EQ(f.errno_value(), ENOSPC);
    // No torn line: every line in the file is complete.
    for (const auto& l : read_lines(path))
        EXPECT_EQ(l.back(), '}');
    EXPECT_EQ(read_lines(path).size(), static_cast<size_t>(written));

    fs.free("filler");
    f.append(line(7));
    ASSERT_TRUE(f.commit()) << std::strerror(f.errno_value());
    const auto lines = read_lines(path);
    ASSERT_EQ(lines.size(), static_cast<size_t>(written) + 1);
    EXPECT_EQ(lines.back(), line(7));
    EXPECT_EQ(f.size(), std::filesystem::file_size(path));
}

}  // namespace
}  // namespace otsentry::alerts
