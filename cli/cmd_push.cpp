// polc push POLICY... --etcd URL[,URL...] [--prefix P] [--endpoints EPS.json]
//           [--delete NAME]...
// Lints the policies (with the inventory, when given) and refuses the push
// on any error-level finding, writing nothing (exit 1). Then writes every
// policy under PREFIX/policies/ by its file name, and the inventory's
// endpoints and namespaces, in one etcd transaction (fleet/push.h).
#include <filesystem>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/lint_findings.h"
#include "cli/output.h"
#include "fleet/fleet_keys.h"
#include "fleet/push.h"
#include "ir/lint/lint.h"
#include "ir/lint/report.h"

namespace polc::cli {

namespace {

struct PushOptions {
  std::vector<std::string> policies, deletes;
  std::string etcd, prefix = fleet::kDefaultPrefix, endpoints;
};

// The text lint read for `path` (each file is read once).
const std::string *text_of(const SourceManager &sources, const std::string &path) {
  for (uint32_t id = 1; id <= sources.last(); ++id)
    if (sources.path(id) == path) return &sources.contents(id);
  return nullptr;
}

int run_push(const PushOptions &opt) {
  if (opt.policies.empty() && opt.deletes.empty() && opt.endpoints.empty()) {
    std::cerr << "polc push: nothing to push: give policy files, --endpoints or --delete\n";
    return kExitUsage;
  }
  Session session;
  LintFindings lint = lint_files(session, opt.policies, opt.endpoints, false);
  if (!lint.findings.empty())
    std::cerr << ir::render_lint(lint.findings, session.diags(), ir::LintFormat::Text) << std::flush;
  if (ir::has_lint_errors(lint.findings)) {
    std::cerr << "polc push: refused: lint found errors; nothing was written\n";
    return kExitInputError;
  }

  fleet::PushRequest request;
  std::map<std::string, std::string> names;  // key name -> the file it came from
  for (const std::string &path : opt.policies) {
    std::string name = std::filesystem::path(path).filename().string();
    if (std::string problem = fleet::policy_name_problem(name); !problem.empty()) {
      std::cerr << fmt::format("polc push: {}: {}\n", path, problem);
      return kExitInputError;
    }
    if (auto [it, fresh] = names.emplace(name, path); !fresh) {
      std::cerr << fmt::format("polc push: {} and {} would both be the policy \"{}\": rename one\n", it->second,
                               path, name);
      return kExitInputError;
    }
    const std::string *text = text_of(session.sources(), path);
    if (!text) {
      std::cerr << "polc push: " << path << ": not read\n";
      return kExitInputError;
    }
    request.policies.push_back({name, *text});
  }
  if (lint.have_endpoints) request.inventory = std::move(lint.inventory);
  request.deletes = opt.deletes;

  fleet::EtcdClient client(fleet::EtcdClient::split_endpoints(opt.etcd));
  auto pushed = fleet::push(client, opt.prefix, request);
  if (!pushed) {
    std::cerr << "polc push: " << pushed.error().message << "; nothing was written\n";
    return pushed.error().exit_code;
  }
  if (pushed->revision == 0)
    std::cout << fmt::format("nothing changed: the store already holds these ({} keys)\n", pushed->unchanged);
  else
    std::cout << fmt::format("revision {}: {} keys written, {} deleted, {} unchanged\n", pushed->revision,
                             pushed->written, pushed->deleted, pushed->unchanged);
  return kExitOk;
}

}  // namespace

void add_push_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<PushOptions>();
  auto *sub = app.add_subcommand("push", "lint policies and write them to a fleet's etcd store, in one transaction");
  sub->add_option("policies", opt->policies, "policy files: each becomes PREFIX/policies/<file name>");
  sub->add_option("--etcd", opt->etcd, "etcd endpoints, comma-separated (http://127.0.0.1:2379)")->required();
  sub->add_option("--prefix", opt->prefix, "the fleet's key prefix (default /polc)");
  sub->add_option("--endpoints", opt->endpoints, "endpoint inventory: replaces the store's endpoints and namespaces");
  sub->add_option("--delete", opt->deletes, "remove the policy NAME (a file name given earlier)");
  sub->callback([opt, &exit_code] { exit_code = run_push(*opt); });
}

}  // namespace polc::cli
