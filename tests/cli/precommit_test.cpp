// The repository's pre-commit hooks (.pre-commit-hooks.yaml) run by the real
// `pre-commit` tool in a throwaway git repository: a commit with a bad
// policy is refused with the diagnostic shown, the fixed one goes through.
// pre-commit clones hook repositories at a commit, so the hooks file is
// first committed into a scratch "hooks" repository of its own.
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/support/test_env.h"

using namespace polc::test;

namespace {

std::string sh_quote(const std::string &s) { return "'" + s + "'"; }

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("pre-commit: polc-lint and polc-fmt refuse a bad policy and pass a fixed one") {
    if (run_shell("command -v pre-commit && command -v git").exit_code != 0) {
      MESSAGE("pre-commit or git is not installed: skipped");
      return;
    }
    TempDir tmp;
    std::string env = "export HOME=" + sh_quote(tmp.path().string()) +
                      " PRE_COMMIT_HOME=" + sh_quote((tmp / "cache").string()) +
                      " PATH=" + sh_quote(polc_binary().parent_path().string()) + ":$PATH" +
                      " GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t"
                      " GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1; ";
    std::filesystem::create_directories(tmp / "hooks");
    std::filesystem::copy_file(source_dir() / ".pre-commit-hooks.yaml", tmp / "hooks/.pre-commit-hooks.yaml");
    CommandResult hooks = run_shell(env + "cd " + sh_quote((tmp / "hooks").string()) +
                                    " && git init -q && git add . && git commit -qm hooks && git rev-parse HEAD");
    REQUIRE_MESSAGE(hooks.exit_code == 0, hooks.err);
    std::string rev = hooks.out.substr(0, hooks.out.find('\n'));

    std::filesystem::create_directories(tmp / "project");
    write_file(tmp / "project/.pre-commit-config.yaml",
               "repos:\n  - repo: " + (tmp / "hooks").string() + "\n    rev: " + rev +
                   "\n    hooks:\n      - id: polc-lint\n      - id: polc-fmt\n");
    std::string project = env + "cd " + sh_quote((tmp / "project").string()) + " && ";
    CommandResult init = run_shell(project + "git init -q && pre-commit install && git add .pre-commit-config.yaml");
    REQUIRE_MESSAGE(init.exit_code == 0, (init.out + init.err));

    // An HTTP rule on UDP: an error-level finding.
    write_file(tmp / "project/web.pol",
               "policy web {\n  select app = web;\n  allow ingress from endpoints { app = api } on udp 80 http {\n"
               "    method \"GET\";\n  }\n}\n");
    CommandResult bad = run_shell(project + "git add web.pol && git commit -m bad 2>&1");
    CHECK(bad.exit_code != 0);
    CHECK(bad.out.find("web.pol:3:") != std::string::npos);
    CHECK(bad.out.find("[http-on-udp]") != std::string::npos);
    CHECK(run_shell(project + "git rev-parse HEAD").exit_code != 0);  // nothing committed

    write_file(tmp / "project/web.pol",
               "policy web {\n  select app = web;\n  allow ingress from endpoints { app = api } on tcp 80 http {\n"
               "    method \"GET\";\n  }\n}\n");
    CommandResult good = run_shell(project + "git add web.pol && git commit -m good 2>&1");
    CHECK_MESSAGE(good.exit_code == 0, good.out);
    CHECK(run_shell(project + "git rev-parse HEAD").exit_code == 0);

    // JSON and YAML are linted too, with no `files:` in the project's
    // config; what is not a network policy passes quietly.
    write_file(tmp / "project/deploy.yaml",
               "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n");
    write_file(tmp / "project/package.json", "{\"name\": \"web\", \"version\": \"1.0.0\"}\n");
    write_file(tmp / "project/list.json", "[\"a\", \"b\"]\n");
    write_file(tmp / "project/chart.yaml", "replicas: {{ .Values.replicas }}\nname: {{ .Release.Name }}\n");
    // A CNP whose selector operator Kubernetes refuses.
    write_file(tmp / "project/cnp.yaml",
               "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec:\n"
               "  endpointSelector:\n    matchExpressions: [{key: app, operator: in, values: [web]}]\n"
               "  ingress: [{fromEndpoints: [{matchLabels: {app: api}}]}]\n");
    CommandResult yaml_bad = run_shell(project + "git add -A && git commit -m yaml 2>&1");
    CHECK(yaml_bad.exit_code != 0);
    CHECK(yaml_bad.out.find("cnp.yaml:6:") != std::string::npos);
    CHECK(yaml_bad.out.find("[selector-operator-case]") != std::string::npos);
    for (const char *quiet : {"deploy.yaml", "package.json", "list.json", "chart.yaml"}) {
      CAPTURE(quiet);
      CHECK(yaml_bad.out.find(quiet) == std::string::npos);
    }
    write_file(tmp / "project/cnp.yaml",
               "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec:\n"
               "  endpointSelector:\n    matchExpressions: [{key: app, operator: In, values: [web]}]\n"
               "  ingress: [{fromEndpoints: [{matchLabels: {app: api}}]}]\n");
    CommandResult yaml_good = run_shell(project + "git add -A && git commit -m yaml 2>&1");
    CHECK_MESSAGE(yaml_good.exit_code == 0, yaml_good.out);
  }
}
