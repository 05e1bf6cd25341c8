#include "http_datapath.h"

#include <doctest/doctest.h>

#include <linux/pkt_cls.h>

#include "codegen/compile_policy.h"
#include "frontend/inventory.h"
#include "ir/plan.h"
#include "runtime/policy_maps.h"
#include "tests/support/test_env.h"

namespace polc::test {

HttpDatapath HttpDatapath::make(const char *policy_json, const char *inventory_json, bool audit) {
  auto f = std::make_unique<PolicyFixture>();
  ir::Policy policy = f->lower_text("http.json", policy_json);
  REQUIRE_MESSAGE(!f->diags.has_errors(), f->messages());
  Inventory inventory;
  TempDir dir;
  write_file(dir.path() / "eps.json", inventory_json);
  REQUIRE_MESSAGE(load_inventory_file((dir.path() / "eps.json").string(), f->sources, f->diags, inventory),
                  f->messages());
  ir::EndpointSet endpoints = ir::EndpointSet::from_inventory(inventory);
  ir::DatapathShape shape = ir::plan_shape(policy);
  shape.audit = audit;
  auto compiled = codegen::compile_policy_for_shape(policy, shape, codegen::Hook::Tc);
  REQUIRE_MESSAGE(compiled, (compiled ? "" : compiled.error().message));
  auto object = runtime::BpfObject::open_memory(compiled->elf, "polc");
  REQUIRE(object);
  auto loaded = object->load();
  REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().message));
  REQUIRE(runtime::fill_policy_maps(*object, ir::plan_maps(policy, endpoints)));
  auto netns = runtime::PrivateNetns::create();
  REQUIRE(netns);
  HttpDatapath dp{std::move(*object), std::move(*netns), -1, std::move(f), std::move(policy), std::move(endpoints)};
  dp.ingress = dp.object.program_fd("polc_ingress");
  REQUIRE(dp.ingress >= 0);
  return dp;
}

runtime::TestRunResult HttpDatapath::run(const std::vector<uint8_t> &frame) {
  auto inside = netns.enter();
  REQUIRE(inside);
  auto r = runtime::test_run(ingress, frame);
  REQUIRE(r);
  return *r;
}

uint64_t HttpDatapath::drops(uint32_t reason) const {
  auto sum = runtime::percpu_counter_sum(object.map_fd("polc_drops"), reason);
  REQUIRE_MESSAGE(sum.ok(), (sum.ok() ? "" : sum.error().message));
  return *sum;
}

runtime::PacketSpec Client::segment(const std::string &payload, uint8_t flags) const {
  runtime::PacketSpec s = packet(v6 ? kFrontend6 : kFrontend4, v6 ? kWeb6 : kWeb4, kTcp, dport);
  s.sport = sport;
  s.tcp_flags = flags;
  s.tcp_seq = seq;
  s.tcp_ack = ack;
  s.payload = payload;
  return s;
}

std::vector<uint8_t> Client::send(const std::string &payload) {
  auto frame = runtime::build_packet(segment(payload));
  seq += static_cast<uint32_t>(payload.size());
  return frame;
}

Outcome outcome_of(const runtime::TestRunResult &r, const std::vector<uint8_t> &frame) {
  if (r.retval == TC_ACT_SHOT) return Outcome::Dropped;
  REQUIRE(r.retval == TC_ACT_OK);
  return r.data_out == frame ? Outcome::Passed : Outcome::Refused;
}

const char *name(Outcome o) { return o == Outcome::Passed ? "passed" : o == Outcome::Dropped ? "dropped" : "refused"; }

}  // namespace polc::test
