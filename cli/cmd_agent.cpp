// polc agent --etcd URL[,URL...] --node NAME (--iface IF... | --dry-run)
//            [--prefix P] [--hook tc|xdp] [--netns NAME] [--lease-ttl S]
// Wires fleet/'s agent (the store, the watch, the status) to the apply
// pipeline that `polc apply` uses, once per interface; or, with --dry-run,
// to the same pipeline without the kernel: the plan and the digests, and a
// compile whenever the program's shape changes (docs/fleet.md).
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/apply_pipeline.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "fleet/agent.h"
#include "runtime/netns_guard.h"

namespace polc::cli {

namespace {

struct AgentOptions {
  std::string etcd, node, prefix = "/polc", hook = "tc", netns;
  std::vector<std::string> ifaces;
  bool dry_run = false;
  int64_t lease_ttl = 10;
};

std::atomic<bool> g_stop{false};
void on_stop_signal(int) { g_stop.store(true); }

// Of the interfaces' outcomes, the one that says the most happened.
int rank(runtime::ApplyOutcome::Kind k) {
  using K = runtime::ApplyOutcome::Kind;
  return k == K::Unchanged ? 0 : k == K::MapSwap ? 1 : k == K::ProgramSwap ? 2 : 3;
}

fleet::Enforcer live_enforcer(const AgentOptions &opt, codegen::Hook hook) {
  return [opt, hook](const fleet::CompiledRevision &rev) -> Result<fleet::Enforcement> {
    if (Result<void> can = hook_can_enforce(rev.policy, hook); !can) return can.error();
    fleet::Enforcement done;
    auto most = runtime::ApplyOutcome::Kind::Unchanged;
    for (const std::string &iface : opt.ifaces) {
      ir::EndpointSet endpoints;
      if (rev.endpoints) {
        endpoints = *rev.endpoints;
      } else {
        auto addresses = runtime::interface_addresses(opt.netns, iface);
        if (!addresses) return addresses.error();
        endpoints = ir::EndpointSet::implicit_host(*addresses);
      }
      auto prepared = prepare_apply(rev.policy, endpoints, ApplyTarget{runtime::IfaceId{opt.netns, iface}, hook});
      if (!prepared) return prepared.error();
      auto outcome = runtime::apply_policy(prepared->request);
      if (!outcome) {
        Error e = outcome.error();
        e.message = iface + ": " + e.message;
        return e;
      }
      if (rank(outcome->kind) >= rank(most)) most = outcome->kind;
      done.compiled = done.compiled || prepared->compiled->value_or(false);
      if (done.policy_digest.empty()) done.policy_digest = prepared->request.policy_digest;
    }
    done.kind = runtime::outcome_name(most);
    return done;
  };
}

// Everything but the kernel: what a host would do, for tests and
// benchmarks of many agents on one machine.
fleet::Enforcer dry_run_enforcer(codegen::Hook hook) {
  struct Last {
    std::string shape, policy;
  };
  auto last = std::make_shared<Last>();
  return [hook, last](const fleet::CompiledRevision &rev) -> Result<fleet::Enforcement> {
    if (Result<void> can = hook_can_enforce(rev.policy, hook); !can) return can.error();
    const ir::EndpointSet endpoints = rev.endpoints ? *rev.endpoints : ir::EndpointSet{};
    auto prepared = prepare_apply(rev.policy, endpoints, ApplyTarget{runtime::IfaceId{"", "dry-run"}, hook});
    if (!prepared) return prepared.error();
    const runtime::ApplyRequest &request = prepared->request;
    fleet::Enforcement done;
    done.policy_digest = request.policy_digest;
    if (request.shape_digest != last->shape) {
      auto object = request.build_object();
      if (!object) return object.error();
      done.compiled = prepared->compiled->value_or(false);
      done.kind = last->shape.empty() ? "attached" : "program-swap";
    } else {
      done.kind = request.policy_digest == last->policy ? "unchanged" : "map-swap";
    }
    last->shape = request.shape_digest;
    last->policy = request.policy_digest;
    return done;
  };
}

int run_agent(const AgentOptions &opt) {
  if (opt.ifaces.empty() == !opt.dry_run) {
    std::cerr << "polc agent: give --iface (once per interface) or --dry-run\n";
    return kExitUsage;
  }
  if (opt.lease_ttl < 2) {
    std::cerr << "polc agent: --lease-ttl is at least 2 seconds\n";
    return kExitUsage;
  }
  const codegen::Hook hook = opt.hook == "xdp" ? codegen::Hook::Xdp : codegen::Hook::Tc;
  fleet::AgentOptions options;
  options.etcd = fleet::EtcdClient::split_endpoints(opt.etcd);
  options.prefix = opt.prefix;
  options.node = opt.node;
  options.lease_ttl_seconds = opt.lease_ttl;
  if (options.etcd.empty()) {
    std::cerr << "polc agent: --etcd names no endpoint\n";
    return kExitUsage;
  }
  // No SA_RESTART: a blocking wait returns, and the agent revokes its lease.
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  fleet::Agent agent(options, opt.dry_run ? dry_run_enforcer(hook) : live_enforcer(opt, hook), std::cerr);
  return agent.run(g_stop);
}

}  // namespace

void add_agent_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<AgentOptions>();
  auto *sub = app.add_subcommand("agent", "enforce the policies of an etcd store, following its changes");
  sub->add_option("--etcd", opt->etcd, "etcd endpoints, comma-separated (http://127.0.0.1:2379)")->required();
  sub->add_option("--node", opt->node, "this host's name: its status key is PREFIX/status/NODE")->required();
  sub->add_option("--iface", opt->ifaces, "interface to enforce (once per interface)");
  sub->add_flag("--dry-run", opt->dry_run, "compile and plan every revision, attach nothing");
  sub->add_option("--prefix", opt->prefix, "the fleet's key prefix (default /polc)");
  sub->add_option("--hook", opt->hook, "tc or xdp")->check(CLI::IsMember({"tc", "xdp"}));
  sub->add_option("--netns", opt->netns, "named network namespace holding the interfaces");
  sub->add_option("--lease-ttl", opt->lease_ttl, "seconds the status key outlives a killed agent (default 10)");
  sub->callback([opt, &exit_code] { exit_code = run_agent(*opt); });
}

}  // namespace polc::cli
