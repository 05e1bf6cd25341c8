// bench_frontend: reading and lowering large generated policies.
// Each case runs in a child process so its peak RSS is its own.
// Target (bench/README.md): 100,000 rules of rule JSON read and lowered in
// under 2 s, under 500 MiB peak.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "bench/bench_support.h"
#include "bench/policy_gen.h"
#include "frontend/diagnostics.h"
#include "frontend/policy_loader.h"
#include "frontend/source.h"
#include "ir/lower.h"

namespace {

using namespace polc;

struct Case {
  const char *name;
  const char *file;  // its extension picks the reader
  size_t rules;
  std::string (*generate)(size_t);
  double target_seconds;  // 0: no target
  double target_mib;
};

bool run_case(const Case &c) {
  std::string text = c.generate(c.rules);
  double text_mib = double(text.size()) / (1024.0 * 1024.0);
  double rss_before = bench::peak_rss_mib();

  SourceManager sources;
  DiagnosticEngine diags(sources);
  ast::PolicySet set;
  bench::Stopwatch read_clock;
  bool ok = load_policy_text(c.file, std::move(text), sources, diags, set);
  double read_wall = read_clock.wall_seconds(), read_cpu = read_clock.cpu_seconds();
  bench::Stopwatch lower_clock;
  ir::Policy policy = ir::lower(set, diags);
  double lower_wall = lower_clock.wall_seconds(), lower_cpu = lower_clock.cpu_seconds();
  if (!ok || diags.has_errors() || set.rules.size() != c.rules) {
    fmt::print("{}: FAILED to read ({} rules read, {} diagnostics)\n", c.name, set.rules.size(), diags.all().size());
    return false;
  }
  fmt::print("{:<22} {:>7} rules  {:6.1f} MiB text  read {:.3f} s wall {:.3f} s CPU  lower {:.3f} s wall {:.3f} s CPU"
             "  -> {} IR rules; total {:.3f} s wall, {:.3f} s CPU; RSS before reading {:.0f} MiB\n",
             c.name, c.rules, text_mib, read_wall, read_cpu, lower_wall, lower_cpu, policy.rules.size(),
             read_wall + lower_wall, read_cpu + lower_cpu, rss_before);
  if (c.target_seconds > 0)
    fmt::print("{:<22} target < {:.1f} s: {}\n", c.name, c.target_seconds,
               read_wall + lower_wall < c.target_seconds ? "met" : "MISSED");
  return true;
}

}  // namespace

int main() {
  const Case cases[] = {
      {"rule JSON", "bench.json", 1000, bench::frontend_rules_json, 0, 0},
      {"rule JSON", "bench.json", 10000, bench::frontend_rules_json, 0, 0},
      {"rule JSON", "bench.json", 100000, bench::frontend_rules_json, 2.0, 500},
      {"CNP YAML", "bench.yaml", 20000, bench::frontend_rules_yaml, 0, 0},
  };
  fmt::print("bench_frontend: read (text to AST) + lower (AST to IR), each case in its own process\n");
  bool all_ok = true;
  for (const Case &c : cases) {
    bench::ChildResult r = bench::run_in_child([&] { return run_case(c); });
    all_ok = all_ok && r.ok;
    fmt::print("{:<22} {:>7} rules  peak RSS {:.0f} MiB{}\n", c.name, c.rules, r.peak_rss_mib,
               c.target_mib > 0 ? fmt::format(" (target < {:.0f} MiB: {})", c.target_mib,
                                              r.peak_rss_mib < c.target_mib ? "met" : "MISSED")
                                : "");
  }
  return all_ok ? 0 : 1;
}
