// Policy generations and conntrack (issue 14): an established connection
// passes on its entry while the entry's stamp is the generation in force;
// after a swap of any kind (map-only, program, rollback) each connection is
// judged once more by the new policy, at its next packet either way, and
// only the ones it denies are cut. The interface is run as the installer
// runs it (runtime/installer.cpp): objects share polc_ct, the generation
// word grows with every change, and the programs of the object in force see
// the packets.
#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <vector>

#include "datapath_fixture.h"
#include "http_datapath.h"
#include "ir/plan.h"
#include "runtime/conntrack_key.h"
#include "runtime/policy_maps.h"
#include "runtime/policy_slots.h"
#include "templates/maps_abi.h"
#include "tests/support/test_env.h"

using namespace polc;
using namespace polc::test;
using codegen::Hook;

namespace {

constexpr uint8_t kSynFlag = 0x02, kAckFlag = 0x10;

// One interface's objects and generations.
class Iface {
 public:
  explicit Iface(const ir::MapPlan &plan) { load(plan); }

  // The idle slot of the object in force gets `plan`, then the word flips.
  void map_swap(const ir::MapPlan &plan) {
    Place now = history_.back();
    const uint32_t slot = 1 - now.slot;
    auto maps = runtime::object_slot_maps(*objects_[now.object]);
    REQUIRE(maps.ok());
    auto installed = runtime::install_slot(*maps, slot, plan);
    REQUIRE_MESSAGE(installed.ok(), (installed.ok() ? "" : installed.error().message));
    activate(Place{now.object, slot});
  }

  // A new object sharing the interface's conntrack, in force in slot 0.
  void program_swap(const ir::MapPlan &plan) { load(plan); }

  // Back to the place in force before this one, as a new generation.
  void rollback() {
    REQUIRE(history_.size() >= 2);
    Place back = history_[history_.size() - 2];
    activate(back);
  }

  uint32_t run(const char *program, const runtime::PacketSpec &spec) {
    const runtime::BpfObject &object = *objects_[history_.back().object];
    auto result = runtime::test_run(object.program_fd(program), runtime::build_packet(spec));
    REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
    return result->retval;
  }

  std::optional<polc_ct_value> entry(const runtime::CtTuple &packet) const {
    auto found = runtime::ct_entry(*objects_.front(), packet);
    REQUIRE(found.ok());
    return *found;
  }

  // What the connections the generation in force allows are stamped with.
  uint64_t stamp() const { return polc_active_word(generation_, history_.back().slot) + 1; }

 private:
  struct Place {
    size_t object;
    uint32_t slot;
  };

  void load(const ir::MapPlan &plan) {
    auto object = runtime::BpfObject::open_memory(datapath_elf(full_shape(), Hook::Tc), "polc_gen");
    REQUIRE(object.ok());
    if (!objects_.empty()) {
      for (const char *ct : runtime::kConntrackMaps) {
        auto reused = object->reuse_map(ct, objects_.front()->map_fd(ct));
        REQUIRE(reused.ok());
        REQUIRE(*reused);
      }
    }
    auto loaded = object->load();
    REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
    auto filled = runtime::fill_policy_maps(*object, plan);
    REQUIRE_MESSAGE(filled.ok(), (filled.ok() ? "" : filled.error().message));
    objects_.push_back(std::make_unique<runtime::BpfObject>(std::move(object).value()));
    activate(Place{objects_.size() - 1, 0});
  }

  void activate(Place place) {
    ++generation_;
    auto maps = runtime::object_slot_maps(*objects_[place.object]);
    REQUIRE(maps.ok());
    REQUIRE(runtime::set_active(*maps, place.slot, generation_).ok());
    history_.push_back(place);
  }

  std::vector<std::unique_ptr<runtime::BpfObject>> objects_;
  std::vector<Place> history_;
  uint64_t generation_ = 0;
};

// frontend -> web:port from `sport`, as web's ingress and egress see it.
struct Conn {
  uint16_t sport, dport;
  runtime::PacketSpec forward(uint8_t flags = kAckFlag) const { return tcp(kFrontend4, kWeb4, sport, dport, flags); }
  runtime::PacketSpec reply(uint8_t flags = kAckFlag) const { return tcp(kWeb4, kFrontend4, dport, sport, flags); }
  runtime::CtTuple tuple() const { return {ip(kFrontend4), ip(kWeb4), sport, dport, kTcp}; }
};

bool open(Iface &f, const Conn &c) {
  return f.run("polc_ingress", c.forward(kSynFlag)) == kTcOk &&
         f.run("polc_egress", c.reply(kSynFlag | kAckFlag)) == kTcOk;
}

ir::MapPlan web_allows(std::vector<uint16_t> ports) {
  std::vector<ir::PolicyEntry> allow;
  for (uint16_t port : ports) allow.push_back(ingress_port(kWeb, kFrontend, kTcp, port));
  return plan_with(full_shape(), allow);
}

enum class Swap { MapOnly, Program, Rollback };

const char *name(Swap s) {
  switch (s) {
    case Swap::MapOnly: return "map-only swap";
    case Swap::Program: return "program swap";
    case Swap::Rollback: return "rollback";
  }
  return "?";
}

}  // namespace

TEST_SUITE("datapath") {
  TEST_CASE("generations: an established connection passes both ways on its entry, stamped by the generation in "
            "force") {
    if (!bpf_tests_enabled()) return;
    Iface f(web_allows({80}));
    const Conn c{40000, 80};
    REQUIRE(open(f, c));
    auto e = f.entry(c.tuple());
    REQUIRE(e);
    CHECK(e->stamp[POLC_DIR_INGRESS] == f.stamp());
    CHECK(e->stamp[POLC_DIR_EGRESS] == 0);  // web's egress program saw only replies
    CHECK(e->rule_id[POLC_DIR_INGRESS] != 0);
    for (int i = 0; i < 3; ++i) {
      CHECK(f.run("polc_ingress", c.forward()) == kTcOk);
      CHECK(f.run("polc_egress", c.reply()) == kTcOk);
    }
    CHECK(f.entry(c.tuple())->stamp[POLC_DIR_INGRESS] == f.stamp());
    // Without the connection, web's reply is web's own egress: denied.
    const Conn never{40009, 80};
    CHECK(f.run("polc_egress", never.reply()) == kTcShot);
    CHECK_FALSE(f.entry(never.tuple()));
  }

  TEST_CASE("generations: after each kind of swap, allowed connections go on, denied ones are cut at their next "
            "packet either way, and open again once allowed") {
    if (!bpf_tests_enabled()) return;
    for (Swap kind : {Swap::MapOnly, Swap::Program, Swap::Rollback}) {
      CAPTURE(name(kind));
      // Rollback: the generation before is the one that denies 443.
      Iface f(kind == Swap::Rollback ? web_allows({80}) : web_allows({80, 443}));
      if (kind == Swap::Rollback) f.map_swap(web_allows({80, 443}));
      const Conn kept{40000, 80}, cut_forward{40001, 443}, cut_reply{40002, 443};
      REQUIRE(open(f, kept));
      REQUIRE(open(f, cut_forward));
      REQUIRE(open(f, cut_reply));
      const uint64_t before = f.stamp();

      switch (kind) {
        case Swap::MapOnly: f.map_swap(web_allows({80})); break;
        case Swap::Program: f.program_swap(web_allows({80})); break;
        case Swap::Rollback: f.rollback(); break;
      }
      REQUIRE(f.stamp() != before);

      // Still allowed: passes, and its entry carries the new stamp.
      CHECK(f.run("polc_egress", kept.reply()) == kTcOk);
      CHECK(f.entry(kept.tuple())->stamp[POLC_DIR_INGRESS] == f.stamp());
      CHECK(f.run("polc_ingress", kept.forward()) == kTcOk);

      // Denied now: the next forward packet drops and the entry goes, so
      // the replies that follow drop too.
      CHECK(f.run("polc_ingress", cut_forward.forward()) == kTcShot);
      CHECK_FALSE(f.entry(cut_forward.tuple()));
      CHECK(f.run("polc_egress", cut_forward.reply()) == kTcShot);

      // The same when a reply comes first.
      CHECK(f.run("polc_egress", cut_reply.reply()) == kTcShot);
      CHECK_FALSE(f.entry(cut_reply.tuple()));
      CHECK(f.run("polc_ingress", cut_reply.forward()) == kTcShot);

      // Allowed again later: a new connection on the tuple opens.
      f.map_swap(web_allows({80, 443}));
      CHECK(open(f, cut_forward));
      CHECK(f.entry(cut_forward.tuple())->stamp[POLC_DIR_INGRESS] == f.stamp());
      CHECK(f.run("polc_ingress", kept.forward()) == kTcOk);
    }
  }

  TEST_CASE("generations: a denied packet leaves no entry, and a denied SYN on a known tuple cuts nothing") {
    if (!bpf_tests_enabled()) return;
    Iface f(web_allows({80}));
    const Conn denied{40005, 443};
    for (int i = 0; i < 3; ++i) CHECK(f.run("polc_ingress", denied.forward(kSynFlag)) == kTcShot);
    CHECK_FALSE(f.entry(denied.tuple()));
    // web opening a connection back on the tuple of frontend's: web's
    // egress has no rule, so its SYN is denied, and frontend's connection
    // stays.
    const Conn c{40006, 80};
    REQUIRE(open(f, c));
    CHECK(f.run("polc_egress", c.reply(kSynFlag)) == kTcShot);
    REQUIRE(f.entry(c.tuple()));
    CHECK(f.run("polc_ingress", c.forward()) == kTcOk);
  }

  TEST_CASE("generations: HTTP requests are judged one by one across swaps") {
    if (!bpf_tests_enabled()) return;
    const char *public_only = R"([{"endpointSelector": {"matchLabels": {"app": "web"}},
      "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "frontend"}}],
                   "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                                "rules": {"http": [{"method": "GET", "path": "/public/.*"}]}}]}]}])";
    const char *admin_only = R"([{"endpointSelector": {"matchLabels": {"app": "web"}},
      "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "frontend"}}],
                   "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}],
                                "rules": {"http": [{"method": "GET", "path": "/admin/.*"}]}}]}]}])";
    HttpDatapath dp = HttpDatapath::make(public_only);
    HttpDatapath next = HttpDatapath::make(admin_only);
    auto maps = runtime::object_slot_maps(dp.object);
    REQUIRE(maps.ok());
    REQUIRE(maps->has_http());

    Client a, b;
    b.sport = 40001;
    for (Client *c : {&a, &b}) {
      auto syn = runtime::build_packet(c->segment("", kSyn));
      REQUIRE(outcome_of(dp.run(syn), syn) == Outcome::Passed);
      c->seq += 1;
    }
    auto req = a.send("GET /public/1 HTTP/1.1\r\nHost: web\r\n\r\n");
    CHECK(name(outcome_of(dp.run(req), req)) == std::string("passed"));

    // A map-only swap to rules that allow /admin only: the connection's
    // next requests are judged by them.
    REQUIRE(runtime::install_slot(*maps, 1, ir::plan_maps(next.policy, next.endpoints)).ok());
    REQUIRE(runtime::set_active(*maps, 1, 2).ok());
    req = a.send("GET /admin/1 HTTP/1.1\r\nHost: web\r\n\r\n");
    CHECK(name(outcome_of(dp.run(req), req)) == std::string("passed"));
    req = a.send("GET /public/2 HTTP/1.1\r\nHost: web\r\n\r\n");
    CHECK(name(outcome_of(dp.run(req), req)) == std::string("refused"));

    // And back (a rollback to slot 0, a new generation): /public again.
    REQUIRE(runtime::set_active(*maps, 0, 3).ok());
    req = b.send("GET /admin/2 HTTP/1.1\r\nHost: web\r\n\r\n");
    CHECK(name(outcome_of(dp.run(req), req)) == std::string("refused"));
    Client c;
    c.sport = 40002;
    auto syn = runtime::build_packet(c.segment("", kSyn));
    REQUIRE(outcome_of(dp.run(syn), syn) == Outcome::Passed);
    c.seq += 1;
    req = c.send("GET /public/3 HTTP/1.1\r\nHost: web\r\n\r\n");
    CHECK(name(outcome_of(dp.run(req), req)) == std::string("passed"));
  }
}
