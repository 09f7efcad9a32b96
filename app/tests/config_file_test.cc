#include "app/config_file.h"

#include <fstream>

#include <gtest/gtest.h>

namespace otsentry::app {
namespace {

std::string write(const std::string& name, const std::string& text)
{
    const std::string path = ::testing::TempDir() + "/" + name;
    std::ofstream{path} << text;
    return path;
}

TEST(ConfigFile, RulePathsAndVariablesComeBeforeTheCommandLine)
{
    const auto path = write("otsentry_cfg_ok.yaml", R"(
rules:
  paths: [/etc/otsentry/rules.d, /etc/otsentry/local.rules]
  default: true
  classification: /etc/otsentry/classification.config
vars:
  HOME_NET: "[10.0.0.0/8]"
  ICS_ENGINEERING: 10.1.1.10
)");
    RuleOptions r;
    r.paths = {"cli.rules"};
    r.vars = {"ICS_ENGINEERING=10.1.1.11"};
    std::string error;
    ASSERT_TRUE(apply_config_file(path, r, error)) << error;
    EXPECT_EQ(r.paths,
              (std::vector<std::string>{"/etc/otsentry/rules.d", "/etc/otsentry/local.rules", "cli.rules"}));
    EXPECT_TRUE(r.with_default);
    EXPECT_EQ(r.classification_files, std::vector<std::string>{"/etc/otsentry/classification.config"});
    // The command line's value comes last, so it wins when the variables are applied in order.
    EXPECT_EQ(r.vars, (std::vector<std::string>{"HOME_NET=[10.0.0.0/8]", "ICS_ENGINEERING=10.1.1.10",
                                                "ICS_ENGINEERING=10.1.1.11"}));
    rules::LoadOptions load;
    RuleOptions with_file;
    with_file.config_file = path;
    ASSERT_TRUE(with_file.to_load_options(load, error)) << error;
    EXPECT_EQ(load.vars.size(), 2u);
    EXPECT_TRUE(load.include_default);
}

TEST(ConfigFile, ErrorsNameTheFileAndLine)
{
    std::string error;
    RuleOptions r;
    EXPECT_FALSE(
        apply_config_file(write("otsentry_cfg_key.yaml", "rules:\n  paths: [a]\nrulez: 1\n"), r, error));
    EXPECT_NE(error.find("otsentry_cfg_key.yaml: line 3: unknown key rulez"), std::string::npos) << error;
    EXPECT_FALSE(apply_config_file(write("otsentry_cfg_var.yaml", "vars:\n  HOME_NET: [1, 2]\n"), r, error));
    EXPECT_NE(error.find("line 2: vars.HOME_NET must be a string"), std::string::npos) << error;
    EXPECT_FALSE(apply_config_file(write("otsentry_cfg_yaml.yaml", "rules: [\n"), r, error));
    EXPECT_NE(error.find("otsentry_cfg_yaml.yaml: line"), std::string::npos) << error;
    EXPECT_FALSE(apply_config_file(::testing::TempDir() + "/missing.yaml", r, error));
    EXPECT_NE(error.find("cannot read the configuration file"), std::string::npos) << error;
}

}  // namespace
}  // namespace otsentry::app
