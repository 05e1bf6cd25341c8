#include "datapath_fixture.h"

#include <doctest/doctest.h>

#include <map>
#include <tuple>

#include "codegen/bpf_compiler.h"
#include "runtime/policy_maps.h"

namespace polc::test {
namespace {

runtime::BpfObject load_object(const ir::DatapathShape &shape, codegen::Hook hook) {
  auto object = runtime::BpfObject::open_memory(datapath_elf(shape, hook), "polc_test");
  REQUIRE_MESSAGE(object.ok(), (object.ok() ? "" : object.error().message));
  auto loaded = object->load();
  REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));
  return std::move(object).value();
}

}  // namespace

ir::DatapathShape full_shape() {
  ir::DatapathShape shape;
  shape.enforce_ingress = shape.enforce_egress = true;
  // Every (protocol, port) prefix length for every kind of lookup: the
  // tests' entries may use any.
  shape.allow_lengths = {ir::L4Lengths::kAll, ir::L4Lengths::kAll};
  shape.deny_lengths = {ir::L4Lengths::kAll, ir::L4Lengths::kAll};
  shape.cidr = shape.l4_ports = shape.icmp_types = true;
  return shape;
}

IpAddr ip(const char *text) {
  auto parsed = parse_ip(text);
  REQUIRE_MESSAGE(parsed.value.has_value(), text);
  return *parsed.value;
}

std::vector<ir::IpcacheEntry> world_ipcache() {
  const uint32_t both = POLC_ENFORCE_INGRESS | POLC_ENFORCE_EGRESS;
  std::vector<ir::IpcacheEntry> entries;
  auto add = [&](const char *addr, uint32_t identity, uint32_t flags) {
    IpAddr a = ip(addr);
    entries.push_back({Prefix{a, static_cast<uint8_t>(a.width_bits())}, identity, flags});
  };
  add(kWeb4, kWeb, both);
  add(kWeb6, kWeb, both);
  add(kFrontend4, kFrontend, both);
  add(kFrontend6, kFrontend, both);
  add(kLoose4, kLoose, 0);
  add(kLoose6, kLoose, 0);
  return entries;
}

ir::PolicyEntry entry(uint32_t subject, uint32_t peer, ir::PlanDirection dir, uint8_t proto, uint16_t port,
                      uint8_t l4_prefix_bits) {
  ir::PolicyEntry e;
  e.subject = subject;
  e.peer = peer;
  e.direction = dir;
  e.proto = proto;
  e.port = port;
  e.l4_prefix_bits = l4_prefix_bits;
  e.rule_id = 1;
  return e;
}

ir::PolicyEntry ingress_port(uint32_t subject, uint32_t peer, uint8_t proto, uint16_t port) {
  return entry(subject, peer, ir::PlanDirection::Ingress, proto, port, 24);
}

ir::PolicyEntry egress_port(uint32_t subject, uint32_t peer, uint8_t proto, uint16_t port) {
  return entry(subject, peer, ir::PlanDirection::Egress, proto, port, 24);
}

runtime::PacketSpec packet(const char *src, const char *dst, uint8_t proto, uint16_t dport) {
  runtime::PacketSpec spec;
  spec.src = ip(src);
  spec.dst = ip(dst);
  spec.proto = proto;
  spec.dport = dport;
  return spec;
}

runtime::PacketSpec icmp(const char *src, const char *dst, uint8_t type, uint8_t code) {
  runtime::PacketSpec spec = packet(src, dst, ip(src).family == Family::V4 ? kIcmp : kIcmp6, 0);
  spec.icmp_type = type;
  spec.icmp_code = code;
  return spec;
}

runtime::PacketSpec tcp(const char *src, const char *dst, uint16_t sport, uint16_t dport, uint8_t flags) {
  runtime::PacketSpec p = packet(src, dst, kTcp, dport);
  p.sport = sport;
  p.tcp_flags = flags;
  return p;
}

const std::vector<uint8_t> &datapath_elf(const ir::DatapathShape &shape, codegen::Hook hook) {
  using Key = std::pair<std::string, codegen::Hook>;
  static std::map<Key, std::vector<uint8_t>> cache;
  Key key{shape.digest(), hook};
  auto found = cache.find(key);
  if (found != cache.end()) return found->second;

  auto generated = codegen::try_generate_datapath(shape, hook);
  REQUIRE_MESSAGE(generated.ok(), (generated.ok() ? "" : generated.error().message));
  codegen::CompileInput input;
  input.file_name = generated->main_file;
  input.source = generated->source;
  input.headers = generated->headers;
  auto elf = codegen::compile_bpf_c(input);
  REQUIRE_MESSAGE(elf.ok(), (elf.ok() ? "" : elf.error().message));
  return cache.emplace(key, std::move(elf).value()).first->second;
}

Datapath::Datapath(const ir::DatapathShape &shape, codegen::Hook hook, const ir::MapPlan &plan)
    : object_(load_object(shape, hook)) {
  auto filled = runtime::fill_policy_maps(object_, plan);
  REQUIRE_MESSAGE(filled.ok(), (filled.ok() ? "" : filled.error().message));
}

uint32_t Datapath::run(const std::string &program, const runtime::PacketSpec &spec) {
  return run_bytes(program, runtime::build_packet(spec));
}

uint32_t Datapath::run_bytes(const std::string &program, const std::vector<uint8_t> &frame) {
  int fd = object_.program_fd(program);
  REQUIRE_MESSAGE(fd >= 0, program);
  auto result = runtime::test_run(fd, frame);
  REQUIRE_MESSAGE(result.ok(), (result.ok() ? "" : result.error().message));
  return result->retval;
}

uint64_t Datapath::drops(uint32_t reason) const {
  int fd = object_.map_fd("polc_drops");
  REQUIRE(fd >= 0);
  auto sum = runtime::percpu_counter_sum(fd, reason);
  REQUIRE_MESSAGE(sum.ok(), (sum.ok() ? "" : sum.error().message));
  return *sum;
}

ir::MapPlan plan_with(const ir::DatapathShape &shape, std::vector<ir::PolicyEntry> allow,
                      std::vector<ir::PolicyEntry> deny) {
  ir::MapPlan plan;
  plan.shape = shape;
  plan.ipcache = world_ipcache();
  plan.allow = std::move(allow);
  plan.deny = std::move(deny);
  return plan;
}

}  // namespace polc::test
