// The bundled samples through the real `polc` binary: each reads without
// diagnostics; its IR is the same across runs and across its converted JSON
// and YAML forms; its object is byte-identical across runs; and (with BPF)
// it verifies and passes its flow file.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "tests/support/object_sections.h"
#include "tests/support/test_env.h"

namespace fs = std::filesystem;
using polc::test::run_polc;

namespace {

std::vector<fs::path> sample_policies() {
  std::vector<fs::path> out;
  for (const auto &e : fs::directory_iterator(polc::test::source_dir() / "samples")) {
    std::string name = e.path().filename().string();
    if (name == "endpoints.json" || name.find(".flows.") != std::string::npos) continue;
    auto ext = e.path().extension();
    if (ext == ".json" || ext == ".yaml" || ext == ".yml") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

fs::path flows_for(const fs::path &policy) {
  return policy.parent_path() / (policy.stem().string() + ".flows.json");
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("there are at least seven samples, each with a flow file of 20 flows or more") {
    auto samples = sample_policies();
    CHECK(samples.size() >= 7);
    for (const auto &p : samples) {
      CAPTURE(p);
      REQUIRE(fs::exists(flows_for(p)));
      std::string flows = polc::test::read_file(flows_for(p));
      size_t count = 0;
      for (size_t at = flows.find("\"expect\""); at != std::string::npos; at = flows.find("\"expect\"", at + 1))
        ++count;
      CHECK(count >= 20);
    }
  }

  TEST_CASE("samples compile without diagnostics, to the same IR and bytes every time") {
    polc::test::TempDir tmp;
    for (const auto &p : sample_policies()) {
      CAPTURE(p);
      auto a = run_polc({"compile", p.string(), "-o", (tmp / "a.o").string(), "--emit-ir", (tmp / "a.json").string()});
      REQUIRE_MESSAGE(a.exit_code == 0, a.err);
      CHECK(a.err.empty());
      auto b = run_polc({"compile", p.string(), "-o", (tmp / "b.o").string(), "--emit-ir", (tmp / "b.json").string()});
      REQUIRE(b.exit_code == 0);
      CHECK(polc::test::read_file(tmp / "a.json") == polc::test::read_file(tmp / "b.json"));
      CHECK(polc::test::read_file(tmp / "a.o") == polc::test::read_file(tmp / "b.o"));
      CHECK(polc::test::read_file(tmp / "a.o").substr(0, 4) == "\x7f" "ELF");
    }
  }

  TEST_CASE("converted JSON and YAML forms read back to the identical IR") {
    polc::test::TempDir tmp;
    for (const auto &p : sample_policies()) {
      CAPTURE(p);
      REQUIRE(run_polc({"compile", p.string(), "-o", (tmp / "o.o").string(), "--emit-ir", (tmp / "ir.json").string()})
                  .exit_code == 0);
      std::string ir = polc::test::read_file(tmp / "ir.json");
      for (std::string to : {"json", "yaml"}) {
        CAPTURE(to);
        fs::path converted = tmp / ("converted." + to);
        auto c = run_polc({"convert", p.string(), "--to", to, "-o", converted.string()});
        REQUIRE_MESSAGE(c.exit_code == 0, c.err);
        auto again = run_polc({"compile", converted.string(), "-o", (tmp / "c.o").string(), "--emit-ir",
                               (tmp / "ir2.json").string()});
        REQUIRE_MESSAGE(again.exit_code == 0, again.err);
        CHECK(polc::test::read_file(tmp / "ir2.json") == ir);
        // Same IR, same shape: the same program and policy section; the rule
        // tables name rules of the same meaning, each in its own file.
        CHECK(polc::test::same_program_and_policy(polc::test::read_file(tmp / "c.o"), polc::test::read_file(tmp / "o.o")));
      }
    }
  }

  TEST_CASE("samples verify in the kernel and pass their flow files") {
    if (!polc::test::bpf_tests_enabled()) return;
    for (const auto &p : sample_policies()) {
      CAPTURE(p);
      auto v = run_polc({"verify", p.string()});
      CHECK_MESSAGE(v.exit_code == 0, v.err);
      CHECK(v.out.find("polc_ingress") != std::string::npos);
      // HTTP rules need the tc hook: no XDP object for them.
      bool http = p.filename().string().find("http") != std::string::npos;
      CHECK((v.out.find("polc_xdp_ingress") != std::string::npos) == !http);
      auto t = run_polc({"test", p.string(), "--endpoints", (p.parent_path() / "endpoints.json").string(), "--flows",
                         flows_for(p).string()});
      CHECK_MESSAGE(t.exit_code == 0, std::string(t.out + t.err));
      CHECK(t.out.find(" 0 failed, 0 disagreements") != std::string::npos);
    }
  }

  TEST_CASE("a flow that misses its expectation exits 1; bad input exits 1 with file:line:col") {
    if (!polc::test::bpf_tests_enabled()) return;
    polc::test::TempDir tmp;
    polc::test::write_file(tmp / "p.json", R"([{"endpointSelector": {"matchLabels": {"app": "db"}}, "ingress": [{}]}])");
    polc::test::write_file(tmp / "eps.json", R"({"endpoints": [
      {"name": "db", "labels": {"app": "db"}, "ips": ["10.9.0.1"]},
      {"name": "web", "labels": {"app": "web"}, "ips": ["10.9.0.2"]}]})");
    polc::test::write_file(tmp / "flows.json", R"({"flows": [
      {"name": "web to db", "from": "web", "to": "db", "proto": "tcp", "dport": 5432, "expect": "allow"}]})");
    auto t = run_polc({"test", (tmp / "p.json").string(), "--endpoints", (tmp / "eps.json").string(), "--flows",
                       (tmp / "flows.json").string()});
    CHECK(t.exit_code == 1);
    CHECK(t.out.find("FAIL web to db: expected allow, got deny") != std::string::npos);

    polc::test::write_file(tmp / "bad.json", "[{\"endpointSelector\": {}, \"ingress\": [{\"fromCIDR\": [\"10.0.0.300/8\"]}]}]");
    auto c = run_polc({"compile", (tmp / "bad.json").string()});
    CHECK(c.exit_code == 1);
    CHECK(c.err.find("bad.json:1:53: error: invalid CIDR \"10.0.0.300/8\": octet 300 out of range") != std::string::npos);
  }

  TEST_CASE("HTTP rules need the tc hook: an XDP apply is refused before anything is loaded") {
    auto r = run_polc({"apply", (polc::test::source_dir() / "samples/06-http.yaml").string(), "--iface",
                       "polc-none0", "--hook", "xdp", "--endpoints",
                       (polc::test::source_dir() / "samples/endpoints.json").string()});
    CHECK(r.exit_code == 1);  // an input error at the rule (issue 16)
    CHECK(r.err.find("06-http.yaml:") != std::string::npos);
    CHECK(r.err.find("error: HTTP rules need the tc hook") != std::string::npos);
    // A failed first apply leaves no pin folder behind.
    CHECK_FALSE(std::filesystem::exists("/sys/fs/bpf/polc/host/polc-none0"));
  }

  TEST_CASE("a failed apply, rollback or detach leaves no lock file, and claims no previous policy") {
    if (!polc::test::bpf_tests_enabled()) return;
    auto sample = [](const char *name) { return (polc::test::source_dir() / "samples" / name).string(); };
    auto a = run_polc({"apply", sample("01-labels.json"), "--iface", "polc-none0", "--endpoints",
                       sample("endpoints.json")});
    CHECK(a.exit_code == 3);
    CHECK_MESSAGE(a.err.find("nothing was attached") != std::string::npos, a.err);
    CHECK(a.err.find("previous policy stays in force") == std::string::npos);
    CHECK(run_polc({"rollback", "--iface", "polc-none1"}).exit_code == 1);
    CHECK(run_polc({"detach", "--iface", "polc-none2"}).exit_code == 0);
    for (const char *iface : {"polc-none0", "polc-none1", "polc-none2"}) {
      CAPTURE(iface);
      CHECK_FALSE(std::filesystem::exists(std::string("/run/polc/host/") + iface + ".lock"));
      CHECK_FALSE(std::filesystem::exists(std::string("/sys/fs/bpf/polc/host/") + iface));
    }
  }

  TEST_CASE("usage errors exit 2; unbuilt commands say so") {
    CHECK(run_polc({}).exit_code == 2);
    CHECK(run_polc({"compile"}).exit_code == 2);
    CHECK(run_polc({"convert", "x.json", "--to", "xml"}).exit_code == 2);
  }
}
