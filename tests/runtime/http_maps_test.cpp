// The HTTP maps of a loaded object: filled from the plan (the object's own
// maps, slot 0) and for a later generation (fresh inner maps of the sizes
// compiled in), read back entry by entry.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "codegen/compile_policy.h"
#include "frontend/inventory.h"
#include "ir/plan.h"
#include "runtime/bpf_object.h"
#include "runtime/http_maps.h"
#include "runtime/policy_maps.h"
#include "runtime/policy_slots.h"
#include "templates/maps_abi.h"
#include "tests/support/policy_fixture.h"
#include "tests/support/test_env.h"

using namespace polc;

namespace {

struct Loaded {
  test::PolicyFixture fixture;
  ir::Policy policy;
  ir::EndpointSet endpoints;
};

void load_sample(Loaded &out, const std::string &policy_file) {
  std::string dir = (test::source_dir() / "samples").string();
  out.policy = out.fixture.lower_text(policy_file, test::read_file(dir + "/" + policy_file));
  Inventory inventory;
  REQUIRE(load_inventory_file(dir + "/endpoints.json", out.fixture.sources, out.fixture.diags, inventory));
  REQUIRE_MESSAGE(!out.fixture.diags.has_errors(), out.fixture.messages());
  out.endpoints = ir::EndpointSet::from_inventory(inventory);
}

runtime::BpfObject load_object(const ir::Policy &policy) {
  auto compiled = codegen::compile_policy(policy, codegen::Hook::Tc);
  REQUIRE_MESSAGE(compiled.ok(), (compiled.ok() ? "" : compiled.error().message));
  auto object = runtime::BpfObject::open_memory(compiled->elf, "polc");
  REQUIRE_MESSAGE(object.ok(), (object.ok() ? "" : object.error().message));
  auto loaded = object->load();
  REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
  return std::move(object).value();
}

// Every entry of the three maps equals the plan's.
void check_http_maps(const runtime::HttpMapFds &fds, const ir::HttpPlan &http, uint32_t table_capacity) {
  for (uint32_t f = 0; f < ir::kHttpFieldCount; ++f) {
    polc_http_dfa_meta got, want = runtime::http_meta_value(http.meta[f]);
    REQUIRE(runtime::map_lookup(fds.meta, &f, &got).value());
    CHECK(std::memcmp(&got, &want, sizeof got) == 0);
  }
  CHECK(runtime::map_max_entries(fds.table) == table_capacity);
  REQUIRE(http.table.size() <= table_capacity);
  size_t differ = 0;
  for (uint32_t i = 0; i < http.table.size(); ++i) {
    uint64_t got = ~uint64_t(0);
    REQUIRE(runtime::map_lookup(fds.table, &i, &got).value());
    differ += got != http.table[i];
  }
  CHECK(differ == 0);
  CHECK(runtime::count_entries(fds.verdict) == http.verdicts.size());
  for (const ir::HttpVerdict &v : http.verdicts) {
    polc_http_verdict_key key = runtime::http_verdict_key(v);
    polc_http_verdict_value got, want = runtime::http_verdict_value(v);
    REQUIRE(runtime::map_lookup(fds.verdict, &key, &got).value());
    CHECK(std::memcmp(&got, &want, sizeof got) == 0);
  }
}

}  // namespace

TEST_SUITE("runtime") {
  TEST_CASE("http maps: samples/06-http.yaml fills meta, table and verdicts, then a new generation in slot 1") {
    if (!test::bpf_tests_enabled()) return;
    Loaded sample;
    load_sample(sample, "06-http.yaml");
    ir::MapPlan plan = ir::plan_maps(sample.policy, sample.endpoints);
    REQUIRE_FALSE(plan.http.error);
    REQUIRE_FALSE(plan.http.verdicts.empty());
    runtime::BpfObject object = load_object(sample.policy);
    auto filled = runtime::fill_policy_maps(object, plan);
    REQUIRE_MESSAGE(filled.ok(), (filled.ok() ? "" : filled.error().message));
    check_http_maps({object.map_fd(runtime::kHttpMetaMap), object.map_fd(runtime::kHttpTableMap),
                     object.map_fd(runtime::kHttpVerdictMap)},
                    plan.http, plan.http.table_capacity());

    // A later generation with other HTTP tables that fit the compiled
    // capacity: same program, its own maps.
    const uint32_t capacity = plan.http.table_capacity();
    test::PolicyFixture f;
    ir::Policy other = f.lower_text("other.json", R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}],
                   "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}],
                                "rules": {"http": [{"method": "GET", "path": "/v[0-9]/x"}]}}]}]}])");
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    ir::MapPlan next = ir::plan_maps(other, sample.endpoints);
    REQUIRE_FALSE(next.http.error);
    CHECK(next.http.table.size() != plan.http.table.size());
    REQUIRE(next.http.table.size() <= capacity);

    auto own_slots = runtime::object_slot_maps(object);
    REQUIRE(own_slots.ok());
    runtime::SlotMaps &slots = *own_slots;
    REQUIRE(slots.has_http());
    CHECK(runtime::slot_populated(slots, 0).value());
    CHECK_FALSE(runtime::slot_populated(slots, 1).value());
    auto installed = runtime::install_slot(slots, 1, next);
    REQUIRE_MESSAGE(installed.ok(), (installed.ok() ? "" : installed.error().message));
    CHECK(runtime::slot_populated(slots, 1).value());
    std::array<runtime::UniqueFd, 3> inner;
    for (size_t i = 0; i < inner.size(); ++i) {
      auto fd = runtime::inner_map(slots.http_arrays[i].get(), 1);
      REQUIRE(fd.ok());
      REQUIRE(fd->valid());
      inner[i] = std::move(*fd);
    }
    check_http_maps({inner[0].get(), inner[1].get(), inner[2].get()}, next.http, capacity);
    // Slot 0 still holds the first generation's tables.
    check_http_maps({object.map_fd(runtime::kHttpMetaMap), object.map_fd(runtime::kHttpTableMap),
                     object.map_fd(runtime::kHttpVerdictMap)},
                    plan.http, capacity);

    // Tables past the compiled capacity need another object: refused, and
    // the active generation is untouched (apply then loads a new one: the
    // capacity is part of its shape digest).
    std::string rules;
    for (int i = 0; i < 400; ++i)
      rules += fmt::format(R"({}{{"method": "GET", "path": "/r{}/[a-z]+/{}/.*"}})", i ? "," : "", i, i * 7);
    ir::Policy huge = f.lower_text("huge.json", R"([{"endpointSelector": {"matchLabels": {"app": "api"}},
      "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "web"}}],
                   "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}], "rules": {"http": [)" +
                                                              rules + "]}}]}]}]");
    REQUIRE_MESSAGE(!f.diags.has_errors(), f.messages());
    ir::MapPlan too_big = ir::plan_maps(huge, sample.endpoints);
    REQUIRE_FALSE(too_big.http.error);
    REQUIRE(too_big.http.table.size() > capacity);
    REQUIRE(runtime::set_active(slots, 1, 7).ok());
    CHECK(runtime::read_active_word(slots.active.get()).value() == polc_active_word(7, 1));
    auto refused = runtime::install_slot(slots, 0, too_big);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("polc_http_table holds") != std::string::npos);
    CHECK(runtime::active_slot(slots).value() == 1);
    CHECK(runtime::read_active_word(slots.active.get()).value() == polc_active_word(7, 1));
  }

  TEST_CASE("http maps: HTTP rules are refused by an object without HTTP tables") {
    if (!test::bpf_tests_enabled()) return;
    Loaded plain;
    load_sample(plain, "03-ports.json");
    runtime::BpfObject object = load_object(plain.policy);
    CHECK(object.map_fd(runtime::kHttpMetaMap) < 0);
    Loaded http;
    load_sample(http, "06-http.yaml");
    auto filled = runtime::fill_policy_maps(object, ir::plan_maps(http.policy, http.endpoints));
    REQUIRE_FALSE(filled.ok());
    CHECK(filled.error().message.find("without HTTP tables") != std::string::npos);
  }
}
