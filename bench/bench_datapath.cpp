// bench_datapath: the per-packet cost of the compiled datapath against an
// empty tc program (BPF_PROG_TEST_RUN with repeat), for policies of 1 to
// 100,000 rules over the same inventory; the end-to-end compile time (read
// + lower + plan + generate + LLVM) in a fresh process; the object size.
// Targets (bench/README.md): every row flat within 15% from 1 to 100,000
// rules; a packet of an established connection (forward, reply) <= 2.5x the
// empty program, a new connection's first packet <= 6x, a denied packet
// <= 5x; compile 1,000 rules < 300 ms,
// 100,000 rules < 5 s; object size independent of the rule count.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <bpf/bpf.h>

#include <fmt/format.h>

#include "bench/bench_support.h"
#include "bench/policy_gen.h"
#include "codegen/bpf_compiler.h"
#include "codegen/compile_policy.h"
#include "codegen/elf_section.h"
#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "frontend/source_reader.h"
#include "ir/ir_json.h"
#include "ir/lower.h"
#include "ir/plan.h"
#include "runtime/datapath_runner.h"
#include "runtime/event_monitor.h"
#include "templates/maps_abi.h"

namespace {

using namespace polc;

constexpr uint32_t kRepeat = 100000;
constexpr int kRounds = 5;
constexpr uint32_t kTcOk = 0, kTcShot = 2;
const size_t kSizes[] = {1, 100, 10000, 100000};

struct Probe {
  const char *name;
  const char *program;  // polc_ingress, or polc_egress for a reply
  runtime::PacketSpec spec;
  uint32_t expect;
  double target;  // at most this many times the empty program
};

IpAddr ip(const char *text) { return *parse_ip(text).value; }

constexpr uint8_t kSyn = 0x02, kAck = 0x10;

// The probes run in this order each round: the established forward probe
// opens (then refreshes) the connection whose reply the next one sends.
// The SYN probe is a tuple of its own: an opening SYN is always judged
// (templates/conntrack.h), a new connection's first packet. Denied
// packets record nothing, so every repeat of theirs is judged too.
std::vector<Probe> probes() {
  auto tcp = [](const char *src, const char *dst, uint16_t sport, uint16_t dport, uint8_t flags) {
    runtime::PacketSpec s;
    s.src = ip(src);
    s.dst = ip(dst);
    s.proto = 6;
    s.sport = sport;
    s.dport = dport;
    s.tcp_flags = flags;
    return s;
  };
  const uint16_t port = bench::kService0Port;
  return {
      {"v4 established fwd", "polc_ingress", tcp(bench::kClient0V4, bench::kService0V4, 40000, port, kAck), kTcOk,
       2.5},
      {"v4 established reply", "polc_egress", tcp(bench::kService0V4, bench::kClient0V4, port, 40000, kAck), kTcOk,
       2.5},
      {"v4 new conn (SYN)", "polc_ingress", tcp(bench::kClient0V4, bench::kService0V4, 40001, port, kSyn), kTcOk,
       6},
      {"v4 denied (port)", "polc_ingress", tcp(bench::kClient0V4, bench::kService0V4, 40002, port - 1, kSyn), kTcShot,
       5},
      {"v4 denied (world)", "polc_ingress", tcp("203.0.113.9", bench::kService0V4, 40003, port, kSyn), kTcShot, 5},
      {"v6 established fwd", "polc_ingress", tcp(bench::kClient0V6, bench::kService0V6, 40000, port, kAck), kTcOk,
       2.5},
  };
}

// The kernel's average ns per run; the best of three, to shed noise.
double ns_per_packet(int prog_fd, const std::vector<uint8_t> &frame, uint32_t *retval) {
  double best = 1e18;
  for (int i = 0; i < 3; ++i) {
    auto r = runtime::test_run(prog_fd, frame, kRepeat);
    if (!r) {
      fmt::print(stderr, "test_run: {}\n", r.error().message);
      std::exit(1);
    }
    *retval = r->retval;
    best = std::min(best, double(r->duration_ns));
  }
  return best;
}

struct Loaded {
  ir::Policy policy;
  ir::EndpointSet endpoints;
};

struct StageTimes {
  double read = 0, lower = 0, inventory = 0, plan = 0, compile = 0;
  size_t entries = 0;
};

// read + lower + inventory + plan_maps; exits on a reader error (a bug of the generator).
Loaded load(size_t rules, StageTimes &t, ir::MapPlan &plan) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  ast::PolicySet set;
  Loaded out;
  bench::Stopwatch read;
  load_policy_text("bench.json", bench::datapath_rules_json(rules), sources, diags, set);
  t.read = read.wall_seconds();
  bench::Stopwatch lower;
  out.policy = ir::lower(set, diags);
  t.lower = lower.wall_seconds();

  bench::Stopwatch inv;
  uint32_t file = sources.add("endpoints.json", bench::datapath_inventory_json());
  auto docs = parse_source(file, sources, diags);
  Inventory inventory;
  if (!docs.empty()) read_inventory(docs.front().root, diags, inventory);
  std::vector<ir::EndpointSet::InventoryEndpoint> eps;
  for (const auto &ep : inventory.endpoints)
    eps.push_back({ep.name, ep.namespace_, ir::LabelSet(ep.labels.begin(), ep.labels.end()), ep.ips});
  out.endpoints = ir::EndpointSet::from_inventory({}, eps);
  t.inventory = inv.wall_seconds();
  if (diags.has_errors()) {
    for (const auto &d : diags.all()) fmt::print(stderr, "{}", diags.render(d));
    std::exit(1);
  }
  bench::Stopwatch planning;
  plan = ir::plan_maps(out.policy, out.endpoints);
  t.plan = planning.wall_seconds();
  t.entries = plan.allow.size() + plan.deny.size();
  return out;
}

std::vector<uint8_t> compile_or_die(const ir::Policy &policy, StageTimes &t) {
  bench::Stopwatch clock;
  auto compiled = codegen::compile_policy(policy, codegen::Hook::Tc);
  t.compile = clock.wall_seconds();
  if (!compiled) {
    fmt::print(stderr, "compile_policy: {}\n", compiled.error().message);
    std::exit(1);
  }
  return std::move(compiled->elf);
}

void end_to_end_compile(size_t rules, double target_seconds) {
  bench::ChildResult r = bench::run_in_child([&] {
    bench::Stopwatch total;
    StageTimes t;
    ir::MapPlan plan;
    Loaded l = load(rules, t, plan);
    std::vector<uint8_t> elf = compile_or_die(l.policy, t);
    double all = total.wall_seconds();
    // Where generate/LLVM/section goes, step by step (warm: LLVM is initialized now).
    bench::Stopwatch gen_clock;
    auto generated = codegen::try_generate_datapath(ir::plan_shape(l.policy), codegen::Hook::Tc);
    double gen = gen_clock.wall_seconds();
    if (!generated) return false;
    codegen::CompileInput input;
    input.file_name = generated->main_file;
    input.source = generated->source;
    input.headers = generated->headers;
    auto timed_compile = [&](bool debug_info, int opt) {
      codegen::CompileInput in = input;
      in.debug_info = debug_info;
      in.opt_level = opt;
      bench::Stopwatch clock;
      auto out = codegen::compile_bpf_c(in);
      return std::make_pair(clock.wall_seconds(), out ? out->size() : 0);
    };
    auto with_btf = timed_compile(true, 2), without_btf = timed_compile(false, 2), o1 = timed_compile(true, 1);
    bench::Stopwatch json_clock;
    std::string ir_json = ir::policy_to_json_text(l.policy);
    double json = json_clock.wall_seconds();
    bench::Stopwatch dom_clock;
    auto dom = ir::policy_to_json(l.policy);
    double dom_s = dom_clock.wall_seconds();
    bench::Stopwatch compact_clock;
    size_t compact_size = dom.dump().size();
    double compact_s = compact_clock.wall_seconds();
    fmt::print("    IR JSON: building the document {:.3f} s, compact dump {:.3f} s ({} bytes)\n", dom_s, compact_s,
               compact_size);
    bench::Stopwatch section_clock;
    auto with_section = codegen::add_elf_section(elf, "bench.section", ir_json);
    double section = section_clock.wall_seconds();
    fmt::print("    breakdown: generate {:.3f} s; LLVM -O2 -g {:.3f} s ({} bytes), -O2 without -g {:.3f} s ({} bytes), "
               "-O1 -g {:.3f} s; IR JSON for the policy section {:.3f} s ({} bytes); ELF section {:.3f} s\n",
               gen, with_btf.first, with_btf.second, without_btf.first, without_btf.second, o1.first, json,
               ir_json.size(), section);
    fmt::print("compile {:>6} rules (fresh process): {:.3f} s = read {:.3f} + lower {:.3f} + inventory {:.3f} + plan "
               "{:.3f} ({} entries) + generate/LLVM/section {:.3f}; target < {:.1f} s: {}\n",
               rules, all, t.read, t.lower, t.inventory, t.plan, t.entries, t.compile, target_seconds,
               all < target_seconds ? "met" : "MISSED");
    return true;
  });
  fmt::print("compile {:>6} rules: peak RSS {:.0f} MiB\n", rules, r.peak_rss_mib);
}

std::string bench_dir() {
  const char *env = std::getenv("POLC_BENCH_DIR");
  return env ? env : POLC_BENCH_DIR;
}

}  // namespace

int main() {
  if (geteuid() != 0) {
    fmt::print(stderr, "bench_datapath: needs root (BPF_PROG_TEST_RUN)\n");
    return 3;
  }
  end_to_end_compile(1000, 0.3);
  end_to_end_compile(100000, 5.0);

  // The baseline program.
  std::string empty_path = bench_dir() + "/empty_prog.c";
  codegen::CompileInput input;
  input.file_name = "empty_prog.c";
  FILE *f = std::fopen(empty_path.c_str(), "r");
  if (!f) {
    fmt::print(stderr, "cannot read {}\n", empty_path);
    return 1;
  }
  for (int ch; (ch = std::fgetc(f)) != EOF;) input.source += char(ch);
  std::fclose(f);
  auto empty_elf = codegen::compile_bpf_c(input);
  if (!empty_elf) return fmt::print(stderr, "{}\n", empty_elf.error().message), 1;
  auto empty = runtime::BpfObject::open_memory(*empty_elf, "bench_empty");
  if (!empty || !empty->load()) return fmt::print(stderr, "cannot load the empty program\n"), 1;
  int empty_fd = empty->program_fd("bench_empty");

  std::vector<Probe> ps = probes();
  // Every size is loaded first, then measured in interleaved rounds, the
  // best of each kept: the machine's load drifts over a run by more than
  // the differences the flatness target asks about.
  struct Size {
    size_t rules;
    runtime::DatapathRunner runner;
  };
  std::vector<Size> sizes;
  fmt::print("\nper packet, BPF_PROG_TEST_RUN repeat={} (best of {} interleaved rounds x 3):\n",
             kRepeat, kRounds);
  for (size_t rules : kSizes) {
    StageTimes t;
    ir::MapPlan plan;
    Loaded l = load(rules, t, plan);
    std::vector<uint8_t> elf = compile_or_die(l.policy, t);
    size_t policy_section = codegen::read_elf_section(elf, codegen::kPolicySection).value_or("").size();
    bench::Stopwatch fill;
    auto runner = runtime::DatapathRunner::create(elf, plan);
    if (!runner) return fmt::print(stderr, "{}\n", runner.error().message), 1;
    fmt::print("{:>6} rules: {} map entries, object {} bytes = program {} + policy section {}; load+fill {:.3f} s\n",
               rules, t.entries, elf.size(), elf.size() - policy_section, policy_section, fill.wall_seconds());
    sizes.push_back(Size{rules, std::move(runner).value()});
  }
  // best[size][probe], and the empty program's best per probe.
  std::vector<std::vector<double>> best(sizes.size(), std::vector<double>(ps.size(), 1e18));
  std::vector<double> empty_best(ps.size(), 1e18);
  std::vector<std::vector<uint32_t>> verdicts(sizes.size(), std::vector<uint32_t>(ps.size()));
  for (int round = 0; round < kRounds; ++round)
    for (size_t pi = 0; pi < ps.size(); ++pi) {
      std::vector<uint8_t> frame = runtime::build_packet(ps[pi].spec);
      uint32_t empty_ret = 0;
      empty_best[pi] = std::min(empty_best[pi], ns_per_packet(empty_fd, frame, &empty_ret));
      for (size_t si = 0; si < sizes.size(); ++si) {
        int fd = sizes[si].runner.object().program_fd(ps[pi].program);
        best[si][pi] = std::min(best[si][pi], ns_per_packet(fd, frame, &verdicts[si][pi]));
      }
    }
  std::map<std::string, std::vector<double>> ns_by_probe;
  for (size_t si = 0; si < sizes.size(); ++si) {
    fmt::print("{:>6} rules:\n", sizes[si].rules);
    for (size_t pi = 0; pi < ps.size(); ++pi) {
      const Probe &p = ps[pi];
      double ns = best[si][pi], base = empty_best[pi];
      uint32_t ret = verdicts[si][pi];
      ns_by_probe[p.name].push_back(ns);
      fmt::print("    {:<22} {:6.1f} ns/packet, empty program {:5.1f} ns, ratio {:4.2f} (target <= {}x: {}){}\n",
                 p.name, ns, base, base > 0 ? ns / base : 0.0, p.target, ns <= p.target * base ? "met" : "MISSED",
                 ret == p.expect ? "" : fmt::format("  WRONG VERDICT {}", ret));
    }
  }
  fmt::print("\nflatness, 1 -> 100,000 rules (target within 15%):\n");
  for (const Probe &p : ps) {
    const auto &v = ns_by_probe[p.name];  // sizes 1, 100, 10k, 100k
    double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
    double spread = lo > 0 ? (hi - lo) / lo : 0;
    fmt::print("    {:<22} {:.1f} .. {:.1f} ns: spread {:.0f}%: {}\n", p.name, lo, hi, spread * 100,
               spread <= 0.15 ? "met" : "MISSED");
  }

  // A monitor attached under a denied flood (templates/monitor.h): every
  // denied packet then reaches the event code, and nearly all are refused
  // by the rate limit (the ring is not drained: a full ring refuses too).
  fmt::print("\ndenied packets with a monitor attached (rate limit {}/s per CPU, burst {}):\n",
             runtime::EventMonitor::kEventsPerSecond, runtime::EventMonitor::kBurst);
  polc_monitor_ctl on{};
  on.readers = 1;
  on.interval_ns = 1000000000ull / runtime::EventMonitor::kEventsPerSecond;
  on.burst_ns = runtime::EventMonitor::kBurst * on.interval_ns;
  for (size_t si = 0; si < sizes.size(); ++si) {
    uint32_t zero = 0;
    if (bpf_map_update_elem(sizes[si].runner.object().map_fd("polc_monitor"), &zero, &on, BPF_ANY) != 0)
      return fmt::print(stderr, "cannot switch the monitor on\n"), 1;
    for (size_t pi = 0; pi < ps.size(); ++pi) {
      if (ps[pi].expect != kTcShot) continue;
      std::vector<uint8_t> frame = runtime::build_packet(ps[pi].spec);
      uint32_t ret = 0;
      double ns = 1e18;
      for (int round = 0; round < kRounds; ++round)
        ns = std::min(ns, ns_per_packet(sizes[si].runner.object().program_fd(ps[pi].program), frame, &ret));
      fmt::print("    {:>6} rules {:<22} {:6.1f} ns/packet (without a monitor {:6.1f}){}\n", sizes[si].rules,
                 ps[pi].name, ns, best[si][pi], ret == ps[pi].expect ? "" : "  WRONG VERDICT");
    }
  }
  return 0;
}
