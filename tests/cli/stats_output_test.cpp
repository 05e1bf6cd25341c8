// `polc stats` output (cli/stats_output.h): the Prometheus text exposition
// read back by a parser of the format's grammar (and by promtool where it
// is installed), and the JSON CONTRACT §2 specifies.
#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <sstream>

#include "cli/stats_output.h"
#include "tests/support/test_env.h"

using namespace polc;

namespace {

runtime::InterfaceStats sample_stats() {
  runtime::InterfaceStats s;
  s.generation = 7;
  s.rules = {{"policies/web.yaml:12:9", "ingress", "allow", 42},
             {"odd \"name\"\\dir/p.pol:3:5", "egress", "deny", 5}};
  s.default_deny_ingress = 3;
  s.default_deny_egress = 1;
  s.drops = {{"invalid", 2}, {"http_refused", 0}};
  return s;
}

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// The exposition format: "# HELP name text", "# TYPE name type", and
// samples "name{label="value",...} number", label values with \\ \" \n
// escapes. Fails the test on any line that is none of these, a sample
// before its family's TYPE, or a family typed twice.
std::vector<Sample> parse_exposition(const std::string &text) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|untyped))");
  static const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} ([0-9.eE+-]+))");
  static const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)\"(,|$))");
  std::vector<Sample> out;
  std::map<std::string, std::string> typed;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      CHECK_MESSAGE(typed.count(m[1]) == 0, "typed twice: " << line);
      typed[m[1]] = m[2];
      continue;
    }
    REQUIRE_MESSAGE(std::regex_match(line, m, sample), "not exposition: " << line);
    Sample s{m[1], {}, std::stod(m[3])};
    CHECK_MESSAGE(typed.count(s.name), "sample before its TYPE: " << line);
    std::string labels = m[2];
    for (std::sregex_iterator it(labels.begin(), labels.end(), label), end; it != end; ++it) {
      std::string raw = (*it)[2], value;
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) {
          char c = raw[++i];
          value += c == 'n' ? '\n' : c;
        } else {
          value += raw[i];
        }
      }
      s.labels[(*it)[1]] = value;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("stats --format prometheus: valid exposition, one sample per rule and reason, labels escaped") {
    runtime::IfaceId id{"ns1", "eth0"};
    std::string text = cli::stats_prometheus(id, sample_stats());
    auto samples = parse_exposition(text);
    REQUIRE(samples.size() == 2 + 2 + 2);
    const Sample &flows = samples[0];
    CHECK(flows.name == "polc_rule_flows_total");
    CHECK(flows.labels.at("iface") == "eth0");
    CHECK(flows.labels.at("source") == "policies/web.yaml:12:9");
    CHECK(flows.labels.at("direction") == "ingress");
    CHECK(flows.value == 42);
    const Sample &packets = samples[1];
    CHECK(packets.name == "polc_rule_packets_total");
    CHECK(packets.labels.at("source") == "odd \"name\"\\dir/p.pol:3:5");  // read back through the escapes
    CHECK(packets.value == 5);
    CHECK(samples[2].name == "polc_drops_total");
    CHECK(samples[2].labels.at("reason") == "default_deny");
    CHECK(samples[2].labels.at("direction") == "ingress");
    CHECK(samples[2].value == 3);
    CHECK(samples[3].value == 1);
    CHECK(samples[4].labels.at("reason") == "invalid");
    CHECK(samples[4].value == 2);

    if (test::run_shell("command -v promtool").exit_code == 0) {
      test::TempDir dir;
      test::write_file(dir / "m.prom", text);
      auto checked = test::run_shell("promtool check metrics < " + (dir / "m.prom").string());
      INFO(checked.out << checked.err);
      CHECK(checked.exit_code == 0);
    } else {
      MESSAGE("promtool not installed: checked by the parser only");
    }
  }

  TEST_CASE("stats --format json: CONTRACT's fields") {
    auto j = cli::stats_json(runtime::IfaceId{"", "eth0"}, sample_stats());
    CHECK(j["iface"] == "eth0");
    CHECK(j["netns"] == "host");
    CHECK(j["generation"] == 7);
    REQUIRE(j["rules"].size() == 2);
    CHECK(j["rules"][0]["flows"] == 42);
    CHECK_FALSE(j["rules"][0].contains("packets"));
    CHECK(j["rules"][1]["packets"] == 5);
    CHECK(j["rules"][1]["verdict"] == "deny");
    CHECK(j["default_deny"]["ingress"] == 3);
    CHECK(j["drops"]["invalid"] == 2);
  }

  TEST_CASE("stats text: one line per rule, then default deny and the totals") {
    std::string text = cli::stats_text(runtime::IfaceId{"", "eth0"}, sample_stats());
    CHECK(text.find("policies/web.yaml:12:9") != std::string::npos);
    CHECK(text.find("42 flows") != std::string::npos);
    CHECK(text.find("default deny") != std::string::npos);
    CHECK(text.find("total: 42 flows allowed by rules, 5 packets dropped by deny rules, 4 by default deny, 2 for "
                    "other reasons (invalid 2)") != std::string::npos);
  }
}
