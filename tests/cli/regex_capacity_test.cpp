// An HTTP pattern the datapath cannot hold is an error about the input:
// exit 1 at the pattern's file:line:col, with a hint that fits what is
// wrong with it (a long literal is not a repetition count).
#include <doctest/doctest.h>

#include "tests/support/test_env.h"

using namespace polc::test;

namespace {

// One rule with an HTTP path; the path's value starts at line 3, column 33.
std::string policy_with_path(const std::string &path) {
  return "[{\"endpointSelector\": {},\n"
         "  \"ingress\": [{\"toPorts\": [{\"ports\": [{\"port\": \"80\", \"protocol\": \"TCP\"}],\n"
         "    \"rules\": {\"http\": [{\"path\": \"" +
         path + "\"}]}}]}]}]\n";
}

CommandResult compile(TempDir &dir, const std::string &path) {
  write_file(dir / "p.json", policy_with_path(path));
  return run_polc({"compile", (dir / "p.json").string(), "-o", (dir / "p.o").string()});
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("regex capacity: a 10,000-character literal is named at its place, with a hint about length") {
    TempDir dir;
    CommandResult r = compile(dir, "/" + std::string(10000, 'a'));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("p.json:3:33: error: HTTP path regex") != std::string::npos);
    CHECK(r.err.find("10001 characters long") != std::string::npos);
    CHECK(r.err.find("repetition") == std::string::npos);
    // Diagnostics echo a short part of the value, not all of it.
    CHECK(r.err.size() < 1000);
  }

  TEST_CASE("regex capacity: large repetition counts get the repetition hint") {
    TempDir dir;
    CommandResult r = compile(dir, "/a{1000}b{1000}c{1000}d{1000}e{1000}");
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("p.json:3:33: error: HTTP path regex \"/a{1000}b{1000}c{1000}d{1000}e{1000}\"") != std::string::npos);
    CHECK(r.err.find("use smaller repetition counts") != std::string::npos);
  }

  TEST_CASE("regex capacity: a pattern whose automaton explodes gets the wildcard hint") {
    TempDir dir;
    CommandResult r = compile(dir, "/(a|b)*a(a|b){20}");
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("p.json:3:33: error: HTTP path regex") != std::string::npos);
    CHECK(r.err.find("DFA states") != std::string::npos);
    CHECK(r.err.find("wildcard") != std::string::npos);
  }
}
