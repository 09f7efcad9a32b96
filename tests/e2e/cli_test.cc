// End-to-end tests of the otsentry binary: what a user sees for good and bad inputs.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct RunResult {
    int status = -1;
    std::string out, err;
};

std::string slurp(const fs::path& p)
{
    std::ifstream in{p, std::ios::binary};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class Cli : public ::testing::Test {
protected:
    void SetUp() override
    {
        dir_ = fs::temp_directory_path() / ("otsentry-cli-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    RunResult run(const std::string& args, const std::string& stdin_file = "/dev/null")
    {
        const auto out = dir_ / "stdout", err = dir_ / "stderr";
        const std::string cmd = std::string{OTSENTRY_BIN} + " " + args + " <" + stdin_file + " >" +
                                out.string() + " 2>" + err.string();
        const int rc = std::system(cmd.c_str());
        return RunResult{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
    }

    fs::path write(const std::string& name, const std::string& bytes)
    {
        const auto p = dir_ / name;
        std::ofstream{p, std::ios::binary} << bytes;
        return p;
    }

    fs::path dir_;
};

const std::string modbus_pcap = std::string{OTSENTRY_SOURCE_DIR} + "/pcaps/modbus/pymodbus_functions.pcap";

TEST_F(Cli, HelpDescribesReplay)
{
    const auto r = run("replay --help");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("--eve"), std::string::npos);
    EXPECT_NE(r.out.find("Examples:"), std::string::npos);
    EXPECT_EQ(run("--help").status, 0);
}

TEST_F(Cli, UsageErrorsExitTwo)
{
    EXPECT_EQ(run("").status, 2);
    EXPECT_EQ(run("replay").status, 2);
    EXPECT_EQ(run("replay x.pcap --no-such-option").status, 2);
}

TEST_F(Cli, MissingFileIsNamed)
{
    const auto r = run("replay " + (dir_ / "nope.pcap").string() + " --db ''");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("nope.pcap: no such file"), std::string::npos) << r.err;
}

TEST_F(Cli, DirectoryIsRefused)
{
    const auto r = run("replay " + dir_.string() + " --db ''");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(dir_.string() + ": is a directory"), std::string::npos) << r.err;
}

TEST_F(Cli, EmptyFileIsRefused)
{
    const auto p = write("empty.pcap", "");
    const auto r = run("replay " + p.string() + " --db ''");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("empty.pcap: empty file"), std::string::npos) << r.err;
}

TEST_F(Cli, TextFileIsNotACapture)
{
    const auto p = write("notes.txt", "this is not a capture file, just some text\n");
    const auto r = run("replay " + p.string() + " --db ''");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("notes.txt: not a pcap or pcapng capture"), std::string::npos) << r.err;
}

TEST_F(Cli, EveryBadFileIsReportedBeforeAnyWork)
{
    const auto a = write("a.txt", "garbage garbage garbage garbage");
    const auto r = run("replay " + a.string() + " " + (dir_ / "missing.pcap").string() + " --db ''");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("a.txt: not a pcap"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("missing.pcap: no such file"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");  // no summary: nothing was replayed
}

TEST_F(Cli, TruncatedLastRecordKeepsEarlierPackets)
{
    const std::string whole = slurp(modbus_pcap);
    ASSERT_GT(whole.size(), 200u) << "missing " << modbus_pcap;
    const auto p = write("cut.pcap", whole.substr(0, whole.size() - 10));
    const auto eve = dir_ / "eve.json";
    const auto r = run("replay " + p.string() + " --db '' --eve " + eve.string());
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("cut.pcap: truncated last record after"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("otsentry replay: 1 file"), std::string::npos) << r.out;
    EXPECT_FALSE(slurp(eve).empty());
}

TEST_F(Cli, UnwritableEveIsNamed)
{
    const auto r = run("replay " + modbus_pcap + " --db '' --eve /nonexistent-dir/eve.json");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("/nonexistent-dir/eve.json"), std::string::npos) << r.err;
}

TEST_F(Cli, ReplayWritesEveAndStoreThatAgree)
{
    const auto eve = dir_ / "eve.json", db = dir_ / "o.db";
    const auto r = run("replay " + modbus_pcap + " --eve " + eve.string() + " --db " + db.string());
    ASSERT_EQ(r.status, 0) << r.err;
    std::istringstream lines{slurp(eve)};
    std::string line;
    int modbus = 0, total = 0;
    while (std::getline(lines, line)) {
        const auto j = nlohmann::json::parse(line);  // every line is one JSON object
        ++total;
        ASSERT_TRUE(j.contains("timestamp") && j.contains("flow_id") && j.contains("event_type")) << line;
        if (j["event_type"] == "modbus") ++modbus;
    }
    EXPECT_GT(modbus, 10);
    EXPECT_NE(r.out.find("modbus " + std::to_string(modbus)), std::string::npos) << r.out;
    const std::string count_cmd =
        "sqlite3 " + db.string() + " 'select count(*) from events' > " + (dir_ / "count").string();
    ASSERT_EQ(std::system(count_cmd.c_str()), 0);
    EXPECT_EQ(std::stoi(slurp(dir_ / "count")), modbus);
}

TEST_F(Cli, StdinIsACaptureToo)
{
    const auto eve = dir_ / "eve.json";
    const auto r = run("replay - --db '' --eve " + eve.string(), modbus_pcap);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(slurp(eve).find("\"event_type\":\"modbus\""), std::string::npos);
}

TEST_F(Cli, HelpDescribesMonitor)
{
    const auto r = run("monitor --help");
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("--interface"), std::string::npos);
    EXPECT_NE(r.out.find("--stats-interval"), std::string::npos);
    EXPECT_NE(r.out.find("SIGTERM"), std::string::npos);
}

TEST_F(Cli, MonitorUsageErrorsExitTwo)
{
    EXPECT_EQ(run("monitor").status, 2);  // no interface
    const auto r = run("monitor -i lo --workers 0 --db ''");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--workers"), std::string::npos) << r.err;
    EXPECT_EQ(run("monitor -i lo --snaplen 10 --db ''").status, 2);
    EXPECT_EQ(run("monitor -i lo --buffer-mb 0 --db ''").status, 2);
}

// The interface check comes before libpcap, so the message is the same with or without the
// right to capture.
TEST_F(Cli, MonitorUnknownInterfaceIsNamed)
{
    const auto db = dir_ / "o.db";
    const auto r = run("monitor -i nosuchif9 --db " + db.string());
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("otsentry: error: nosuchif9: no such device"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(db));  // nothing is opened before the capture is
}

TEST_F(Cli, MonitorBadFilterIsNamed)
{
    const auto r = run("monitor -i lo --bpf 'tcp prot 502' --db ''");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("bad BPF filter 'tcp prot 502'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("syntax error"), std::string::npos) << r.err;
}

TEST_F(Cli, MonitorUnknownUserIsNamed)
{
    const auto r = run("monitor -i lo --user no-such-user-x --db ''");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("--user no-such-user-x: no such user"), std::string::npos) << r.err;
}

}  // namespace
