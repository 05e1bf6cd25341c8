// `polc fmt` and `polc convert --to pol` through the binary.
#include <doctest/doctest.h>

#include "tests/support/object_sections.h"
#include "tests/support/test_env.h"

using namespace polc::test;

TEST_SUITE("cli") {
  TEST_CASE("fmt: rewrites into the canonical layout; --check exits 1 only when a file would change") {
    TempDir dir;
    std::string messy = "policy web{select app=web;allow ingress from endpoints{app=api}on tcp 80;}\n";
    write_file(dir / "a.pol", messy);
    CommandResult check = run_polc({"fmt", "--check", (dir / "a.pol").string()});
    CHECK(check.exit_code == 1);
    CHECK(check.err.find("a.pol: would be reformatted") != std::string::npos);
    CHECK(read_file(dir / "a.pol") == messy);

    CHECK(run_polc({"fmt", (dir / "a.pol").string()}).exit_code == 0);
    CHECK(read_file(dir / "a.pol") ==
          "policy web {\n  select app = web;\n  allow ingress from endpoints { app = api } on tcp 80;\n}\n");
    CHECK(run_polc({"fmt", "--check", (dir / "a.pol").string()}).exit_code == 0);

    write_file(dir / "bad.pol", "policy { select app = web; allow }\n");
    CommandResult bad = run_polc({"fmt", (dir / "bad.pol").string()});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find("bad.pol:1:34: error: unexpected \"}\"") != std::string::npos);
    CHECK(read_file(dir / "bad.pol") == "policy { select app = web; allow }\n");
  }

  TEST_CASE("fmt: every sample .pol is already canonical") {
    for (const char *s : {"01-labels.pol", "02-cidr.pol", "03-ports.pol", "04-icmp.pol", "05-deny.pol", "06-http.pol",
                          "07-k8s-networkpolicy.pol"}) {
      CAPTURE(s);
      CHECK(run_polc({"fmt", "--check", (source_dir() / "samples" / s).string()}).exit_code == 0);
    }
  }

  TEST_CASE("convert --to pol: the DSL of any input compiles to the same IR") {
    TempDir dir;
    std::string src = (source_dir() / "samples/07-k8s-networkpolicy.yaml").string();
    CHECK(run_polc({"convert", src, "--to", "pol", "-o", (dir / "k.pol").string()}).exit_code == 0);
    CHECK(run_polc({"compile", src, "-o", (dir / "a.o").string(), "--emit-ir", (dir / "a.json").string()}).exit_code == 0);
    CHECK(run_polc({"compile", (dir / "k.pol").string(), "-o", (dir / "b.o").string(), "--emit-ir",
                    (dir / "b.json").string()}).exit_code == 0);
    CHECK(read_file(dir / "a.json") == read_file(dir / "b.json"));
    CHECK(same_program_and_policy(read_file(dir / "a.o"), read_file(dir / "b.o")));
  }
}

TEST_SUITE("cli") {
  TEST_CASE("fmt --diff shows the change as a unified diff and writes nothing") {
    polc::test::TempDir dir;
    std::string path = (dir / "f.pol").string();
    const std::string messy = "policy {\n  select app=api;\n allow ingress from endpoints {tier=frontend};\n}\n";
    polc::test::write_file(path, messy);
    auto r = polc::test::run_polc({"fmt", "--diff", path});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("--- " + path) != std::string::npos);
    CHECK(r.out.find("\n-  select app=api;\n") != std::string::npos);
    CHECK(r.out.find("\n+  select app = api;\n") != std::string::npos);
    CHECK(polc::test::read_file(path) == messy);
    // A formatted file: no diff, exit 0.
    REQUIRE(polc::test::run_polc({"fmt", path}).exit_code == 0);
    auto clean = polc::test::run_polc({"fmt", "--diff", path});
    CHECK(clean.exit_code == 0);
    CHECK(clean.out.empty());
  }
}

TEST_SUITE("cli") {
  TEST_CASE("fmt keeps a comment on the line it was written on, the closing brace's included") {
    polc::test::TempDir dir;
    std::string path = (dir / "c.pol").string();
    polc::test::write_file(path, "policy {  # web\n  select app=api;  # the api\n  allow ingress from endpoints "
                                 "{tier=frontend}; # fe\n  # last words\n}  # end\n");
    REQUIRE(polc::test::run_polc({"fmt", path}).exit_code == 0);
    CHECK(polc::test::read_file(path) ==
          "policy {  # web\n  select app = api;  # the api\n  allow ingress from endpoints { tier = frontend };  # fe\n"
          "  # last words\n}  # end\n");
  }
}
