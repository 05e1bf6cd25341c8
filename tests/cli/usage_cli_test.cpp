// The command line as a new user meets it (issue 16): unknown commands and
// options named with a did-you-mean, version and help, usage under the
// name "polc", exit codes of CONTRACT §2 for an HTTP policy on XDP, for
// files that are not polc objects, and for status without root.
#include <doctest/doctest.h>

#include <unistd.h>

#include "tests/support/object_sections.h"
#include "tests/support/test_env.h"

using namespace polc::test;

namespace {

constexpr const char *kHttpPolicy = R"([{
  "endpointSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{
    "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                 "rules": {"http": [{"method": "GET", "path": "/public/.*"}]}}]
  }]
}])";

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("unknown commands and options are named, with the nearest one") {
    CommandResult r = run_polc({"compil", "x.json"});
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find("unknown command \"compil\"; did you mean \"compile\"?") != std::string::npos, r.err);

    r = run_polc({"apply", "--ifac", "eth0", "x.json"});
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find("unknown option \"--ifac\"; did you mean \"--iface\"?") != std::string::npos, r.err);

    r = run_polc({"compile", "--emit-cc=x.c", "x.json"});
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.err.find("did you mean \"--emit-c\"?") != std::string::npos, r.err);
  }

  TEST_CASE("version and help, under the name polc") {
    for (const char *arg : {"version", "--version"}) {
      CommandResult r = run_polc({arg});
      CHECK(r.exit_code == 0);
      CHECK(r.out.rfind("polc ", 0) == 0);
    }
    CommandResult help = run_polc({"help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Usage: polc [OPTIONS] SUBCOMMAND") != std::string::npos);
    CHECK(help.out.find("compile") != std::string::npos);
    CommandResult sub = run_polc({"compile", "--help"});
    CHECK(sub.exit_code == 0);
    CHECK_MESSAGE(sub.out.find("Usage: polc compile") != std::string::npos, sub.out);
  }

  TEST_CASE("compile --hook xdp of an HTTP policy is an input error at the rule") {
    TempDir dir;
    write_file(dir / "http.json", kHttpPolicy);
    CommandResult r = run_polc({"compile", (dir / "http.json").string(), "--hook", "xdp", "-o", (dir / "x.o").string()});
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.err.find("http.json:4:") != std::string::npos, r.err);
    CHECK(r.err.find("error: HTTP rules need the tc hook") != std::string::npos);
    CHECK(!std::filesystem::exists(dir / "x.o"));
  }

  TEST_CASE("a truncated object or a junk .o is not a polc object (exit 1)") {
    TempDir dir;
    write_file(dir / "http.json", kHttpPolicy);
    CommandResult compiled = run_polc({"compile", (dir / "http.json").string(), "-o", (dir / "good.o").string()});
    REQUIRE_MESSAGE(compiled.exit_code == 0, compiled.err);
    std::string good = read_file(dir / "good.o");
    write_file(dir / "truncated.o", good.substr(0, good.size() / 3));
    write_file(dir / "junk.o", "hello: [not yaml either\n");
    for (const char *name : {"truncated.o", "junk.o"}) {
      CAPTURE(name);
      CommandResult r = run_polc({"verify", (dir / name).string()});
      CHECK(r.exit_code == 1);
      CHECK_MESSAGE(r.err.find("not a polc object") != std::string::npos, r.err);
    }
  }

  TEST_CASE("status without root exits 3") {
    CommandResult r;
    if (geteuid() == 0) {
      // A copy that user nobody can reach, whatever the clone's folders allow.
      TempDir dir;
      std::filesystem::copy_file(polc_binary(), dir / "polc");
      std::filesystem::permissions(dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                                   std::filesystem::perms::group_exec |
                                                   std::filesystem::perms::others_read |
                                                   std::filesystem::perms::others_exec);
      r = run_shell("setpriv --reuid=65534 --regid=65534 --clear-groups " + (dir / "polc").string() + " status");
    } else {
      r = run_polc({"status"});
    }
    CHECK(r.exit_code == 3);
    CHECK_MESSAGE(r.err.find("needs root") != std::string::npos, r.err);
  }
}

TEST_SUITE("cli") {
  TEST_CASE("an input with no policy: compile and lint warn, apply refuses") {
    TempDir dir;
    write_file(dir / "empty.yaml", "");
    write_file(dir / "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n");
    for (const char *name : {"empty.yaml", "deploy.yaml"}) {
      CAPTURE(name);
      std::string path = (dir / name).string();
      CommandResult c = run_polc({"compile", path, "-o", (dir / "x.o").string()});
      CHECK(c.exit_code == 0);
      CHECK_MESSAGE(c.err.find(std::string(name) + ":1:1: warning: no network policy in this file") != std::string::npos,
                    c.err);
      CommandResult l = run_polc({"lint", path});
      CHECK(l.exit_code == 0);
      CHECK_MESSAGE(l.out.find("no network policy in this file") != std::string::npos, l.out);
      CommandResult a = run_polc({"apply", path, "--iface", "polc-none0"});
      CHECK(a.exit_code == 1);
      CHECK_MESSAGE(a.err.find("holds no network policy; nothing to apply") != std::string::npos, a.err);
    }
  }
}

TEST_SUITE("cli") {
  TEST_CASE("- reads standard input for compile, lint, fmt and convert") {
    TempDir dir;
    std::string polc = polc_binary().string();
    std::string samples = (source_dir() / "samples").string();
    auto piped = [&](const std::string &file, const std::string &args) {
      return run_shell("cat '" + samples + "/" + file + "' | '" + polc + "' " + args);
    };
    // The same program and policy as from the file, for JSON, YAML and the
    // DSL (the rule tables name their inputs: the file, or stdin).
    for (const char *sample : {"01-labels.json", "02-cidr.yaml", "01-labels.pol"}) {
      CAPTURE(sample);
      std::string from_stdin = (dir / "stdin.o").string(), from_file = (dir / "file.o").string();
      CommandResult s = piped(sample, "compile - -o '" + from_stdin + "'");
      REQUIRE_MESSAGE(s.exit_code == 0, s.err);
      REQUIRE(run_polc({"compile", samples + "/" + sample, "-o", from_file}).exit_code == 0);
      CHECK(same_program_and_policy(read_file(from_stdin), read_file(from_file)));
    }
    CommandResult bad = run_shell("echo '[{\"endpointSelector\": {}, \"ingress\": [{\"fromCIDR\": [\"1.2.3.400/8\"]}]}]' | '" +
                                  polc + "' compile - -o '" + (dir / "x.o").string() + "'");
    CHECK(bad.exit_code == 1);
    CHECK_MESSAGE(bad.err.find("<stdin>:1:53: error: invalid CIDR") != std::string::npos, bad.err);

    CommandResult lint = piped("02-cidr.yaml", "lint - --format json");
    CHECK(lint.exit_code == 0);
    CHECK(lint.out.find("\"findings\"") != std::string::npos);

    CommandResult fmt = run_shell("printf 'policy {\\n  select app=api;\\n allow ingress from endpoints {tier=frontend};\\n}\\n' | '" +
                                  polc + "' fmt -");
    CHECK(fmt.exit_code == 0);
    CHECK(fmt.out == "policy {\n  select app = api;\n  allow ingress from endpoints { tier = frontend };\n}\n");

    CommandResult convert = piped("01-labels.pol", "convert - --to json");
    CHECK(convert.exit_code == 0);
    CHECK(convert.out.find("\"endpointSelector\"") != std::string::npos);
  }
}
