// Per-rule counters and the event switch in the kernel (templates/
// counters.h, templates/monitor.h): an allow rule counts each connection
// once, a deny rule each packet, default deny each packet per direction;
// events are made only while polc_monitor has a reader, at most the
// bucket's burst at once.
#include <doctest/doctest.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath_fixture.h"
#include "runtime/bpf_object.h"
#include "tests/support/test_env.h"
#include "templates/maps_abi.h"

using namespace polc;
using namespace polc::test;
using codegen::Hook;

namespace {

constexpr uint8_t kSyn = 0x02, kAck = 0x10;

uint64_t counter(const Datapath &dp, uint32_t index) {
  auto sum = runtime::percpu_counter_sum(dp.object().map_fd("polc_rule_stats"), index);
  REQUIRE(sum);
  return *sum;
}

ir::PolicyEntry with_rule(ir::PolicyEntry e, uint32_t rule) {
  e.rule_id = rule;
  return e;
}

// Events waiting in the ring, by walking it with a consumer that counts.
int drain_events(const Datapath &dp) {
  int n = 0;
  auto count = [](void *ctx, void *, size_t) {
    ++*static_cast<int *>(ctx);
    return 0;
  };
  ring_buffer *ring = ring_buffer__new(dp.object().map_fd("polc_events"), count, &n, nullptr);
  REQUIRE(ring);
  ring_buffer__consume(ring);
  ring_buffer__free(ring);
  return n;
}

}  // namespace

TEST_SUITE("datapath") {
  TEST_CASE("counters: flows per allow rule, packets per deny rule and per direction of default deny") {
    if (!bpf_tests_enabled()) return;
    ir::MapPlan plan = plan_with(full_shape(), {with_rule(ingress_port(kWeb, kFrontend, kTcp, 80), 10)},
                                 {with_rule(ingress_port(kWeb, kFrontend, kTcp, 22), 11)});
    Datapath dp(full_shape(), Hook::Tc, plan);
    // Two connections, each several packets: two flows.
    for (uint16_t sport : {40000, 40001}) {
      CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, sport, 80, kSyn)) == kTcOk);
      CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, sport, 80, kAck)) == kTcOk);
      CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 80, sport, kSyn | kAck)) == kTcOk);
    }
    CHECK(counter(dp, 10) == 2);
    // Three packets of one denied connection: three packets.
    for (int i = 0; i < 3; ++i) CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40002, 22, kSyn)) == kTcShot);
    CHECK(counter(dp, 11) == 3);
    // No rule: default deny, by direction.
    CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40003, 81, kSyn)) == kTcShot);
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 40004, 81, kSyn)) == kTcShot);
    CHECK(dp.run("polc_egress", tcp(kWeb4, kFrontend4, 40005, 81, kSyn)) == kTcShot);
    CHECK(counter(dp, POLC_RULE_DEFAULT_DENY + POLC_DIR_INGRESS) == 1);
    CHECK(counter(dp, POLC_RULE_DEFAULT_DENY + POLC_DIR_EGRESS) == 2);
    CHECK(counter(dp, 10) == 2);  // nothing else moved it
  }

  TEST_CASE("events: none without a reader; with one, a burst and then the rate, the rest counted") {
    if (!bpf_tests_enabled()) return;
    Datapath dp(full_shape(), Hook::Tc, plan_with(full_shape(), {}));
    for (int i = 0; i < 50; ++i) CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40000, 81, kSyn)) == kTcShot);
    CHECK(drain_events(dp) == 0);

    // A reader with a burst of 5 events and a rate no test run reaches.
    polc_monitor_ctl on{};
    on.readers = 1;
    on.interval_ns = 1000000000ull;  // one per second
    on.burst_ns = 5 * on.interval_ns;
    uint32_t zero = 0;
    REQUIRE(bpf_map_update_elem(dp.object().map_fd("polc_monitor"), &zero, &on, BPF_ANY) == 0);
    // One CPU runs a test run's packets (BPF_PROG_TEST_RUN runs on the
    // caller's CPU; the loop may migrate, so allow each CPU its burst).
    const long cpus = libbpf_num_possible_cpus();
    for (int i = 0; i < 50; ++i) CHECK(dp.run("polc_ingress", tcp(kFrontend4, kWeb4, 40000, 81, kSyn)) == kTcShot);
    int made = drain_events(dp);
    CHECK(made >= 5);
    CHECK(made <= 5 * cpus + 1);
    // The refused ones are counted in the buckets.
    std::vector<polc_monitor_bucket> buckets(static_cast<size_t>(cpus));
    REQUIRE(bpf_map_lookup_elem(dp.object().map_fd("polc_monitor_bucket"), &zero, buckets.data()) == 0);
    uint64_t suppressed = 0;
    for (const auto &b : buckets) suppressed += b.suppressed;
    CHECK(suppressed + made == 50);
  }
}
