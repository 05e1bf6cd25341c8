// The differential test: random policies (through the real readers, every
// format and every feature of the IR), random inventories and random packets
// go through the compiled datapath in the kernel (BPF_PROG_TEST_RUN) and
// through the reference evaluator; the two must agree on every packet, in
// each direction separately.
//
// Reproduce a failure with the seed it prints:
//   POLC_DIFF_SEED=<seed> POLC_DIFF_WORLDS=1 polc_tests -tc='*differential*'
// (POLC_DIFF_DUMP=DIR also writes the world's files to DIR/world-<seed>/.)
// (POLC_DIFF_WORLDS and POLC_DIFF_PACKETS also make longer runs.)
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "codegen/compile_policy.h"
#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "frontend/source_reader.h"
#include "ir/evaluator.h"
#include "ir/lower.h"
#include "ir/plan.h"
#include "runtime/datapath_runner.h"
#include "tests/support/random_policy.h"
#include "tests/support/test_env.h"
#include "differential_world.h"

namespace polc::test {
namespace {

// Every (protocol, port) prefix length looked up wherever the policy has
// some: a wider program that enforces the same policy (compile_policy.h).
ir::DatapathShape widened(ir::DatapathShape shape) {
  for (uint32_t *mask : {&shape.allow_lengths.peer, &shape.allow_lengths.any_peer, &shape.deny_lengths.peer,
                         &shape.deny_lengths.any_peer})
    if (*mask) *mask = ir::L4Lengths::kAll;
  return shape;
}

// The program depends only on the policy's shape (compile_policy.h), so one
// object per shape, compiled and loaded once, serves every world of that
// shape, refilled with each world's plan (DatapathRunner::refill): that
// bounds the compiles and the verifier runs. Exact shapes differ in their
// prefix lengths from world to world: one world in eight gets its own
// exact program, the others share widened ones.
class Programs {
 public:
  const runtime::DatapathRunner *runner_for(const ir::Policy &policy, const ir::MapPlan &plan, bool exact) {
    ir::DatapathShape shape = ir::plan_shape(policy);
    if (!exact) shape = widened(shape);
    const std::string digest = shape.digest();
    if (auto loaded = loaded_.find(digest); loaded != loaded_.end()) {
      auto refilled = loaded->second.refill(plan);
      if (!refilled) {
        FAIL_CHECK("refilling the datapath failed: " << refilled.error().message);
        return nullptr;
      }
      return &loaded->second;
    }
    auto compiled = codegen::compile_policy_for_shape(policy, shape, codegen::Hook::Tc);
    if (!compiled) {
      FAIL_CHECK("compile_policy failed: " << compiled.error().message);
      return nullptr;
    }
    auto runner = runtime::DatapathRunner::create(compiled->elf, plan);
    if (!runner) {
      FAIL_CHECK("loading the datapath failed: " << runner.error().message);
      return nullptr;
    }
    return &loaded_.emplace(digest, std::move(runner).value()).first->second;
  }
  size_t count() const { return loaded_.size(); }

 private:
  std::map<std::string, runtime::DatapathRunner> loaded_;
};

// With POLC_DIFF_DUMP=DIR, a failing world's files are also written to DIR
// (policies and endpoints.json), ready for `polc test` or `polc compile --emit-ir`.
void dump_world(const RandomWorld &world) {
  const char *dir = std::getenv("POLC_DIFF_DUMP");
  if (!dir || !*dir) return;
  std::filesystem::path base = std::filesystem::path(dir) / fmt::format("world-{}", world.seed);
  std::filesystem::create_directories(base);
  for (const PolicyFile &f : world.policies) write_file(base / f.name, f.text);
  if (!world.inventory_json.empty()) write_file(base / "endpoints.json", world.inventory_json);
  std::cout << "world written to " << base.string() << "\n";
}

struct Tally {
  uint64_t packets = 0, allowed = 0, denied = 0, disagreements = 0, worlds = 0;
  std::map<std::string, int> shapes;
};

void run_world(uint64_t seed, uint64_t packets, Programs &programs, Tally &tally) {
  RandomWorld world = random_world(seed);
  LoadedWorld loaded;
  if (!load_world(world, loaded)) {
    FAIL_CHECK("the generator wrote input the readers refuse\n" << describe(world) << loaded.messages());
    return;
  }
  const runtime::DatapathRunner *runner =
      programs.runner_for(loaded.policy, ir::plan_maps(loaded.policy, loaded.endpoints), seed % 8 == 0);
  if (!runner) {
    FAIL_CHECK("no datapath for this world\n" << describe(world));
    return;
  }
  ir::ReferenceEvaluator reference(loaded.policy, loaded.endpoints);
  ++tally.worlds;
  ++tally.shapes[ir::plan_shape(loaded.policy).digest()];

  Rng rng(seed ^ 0x9ac4e75d1b3f2a61ULL);
  int reported = 0;
  for (uint64_t i = 0; i < packets; ++i) {
    RandomPacket p = random_packet(world, rng);
    auto kernel = runner->run(kernel_packet(p));
    if (!kernel) {
      FAIL_CHECK("BPF_PROG_TEST_RUN failed: " << kernel.error().message);
      return;
    }
    ir::Packet rp = reference_packet(p);
    ir::Decision egress = reference.evaluate_direction(rp, ir::Direction::Egress);
    ir::Decision ingress = reference.evaluate_direction(rp, ir::Direction::Ingress);
    ++tally.packets;
    (kernel->allowed() ? tally.allowed : tally.denied) += 1;
    if (kernel->egress_allowed == egress.allowed && kernel->ingress_allowed == ingress.allowed) continue;
    ++tally.disagreements;
    if (reported++ == 0) {
      std::cout << "DISAGREEMENT in world " << seed << "\n" << describe(world);
      dump_world(world);
    }
    if (reported <= 5)
      std::cout << fmt::format("  packet #{}: {}\n    kernel: egress {}, ingress {}\n    reference: {}; {}\n", i,
                               describe(p), kernel->egress_allowed, kernel->ingress_allowed, egress.reason,
                               ingress.reason);
  }
}

}  // namespace

TEST_CASE("datapath: differential: the compiled program agrees with the reference evaluator on random worlds") {
  if (!bpf_tests_enabled()) return;
  // 240 x 450 = 108,000 packets; about 20 s on a 2-core VM.
  uint64_t first_seed = env_number("POLC_DIFF_SEED", 1);
  uint64_t worlds = env_number("POLC_DIFF_WORLDS", 240);
  uint64_t packets = env_number("POLC_DIFF_PACKETS", 450);

  Programs programs;
  Tally tally;
  for (uint64_t w = 0; w < worlds; ++w) run_world(first_seed + w, packets, programs, tally);

  std::cout << fmt::format(
      "differential: {} worlds ({} shapes, {} programs), {} packets: {} allowed, {} denied, {} disagreements\n",
      tally.worlds, tally.shapes.size(), programs.count(), tally.packets, tally.allowed, tally.denied,
      tally.disagreements);
  CHECK(tally.disagreements == 0);
  CHECK(tally.worlds == worlds);
  if (worlds >= 240 && packets >= 450) {
    CHECK(tally.packets >= 100000);
    // A test where nearly everything passes (or nothing does) proves little.
    CHECK(tally.allowed * 10 > tally.packets);
    CHECK(tally.denied * 10 > tally.packets);
    CHECK(tally.shapes.size() >= 10);
  }
}

}  // namespace polc::test
