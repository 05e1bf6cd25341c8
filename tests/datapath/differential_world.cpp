#include "differential_world.h"

#include <cstdlib>

#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "frontend/source_reader.h"
#include "ir/lower.h"

namespace polc::test {

uint64_t env_number(const char *name, uint64_t fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

std::string LoadedWorld::messages() const {
  std::string out;
  for (const auto &d : diags.all()) out += diags.render(d, false);
  return out;
}

bool load_world(const RandomWorld &world, LoadedWorld &out) {
  ast::PolicySet set;
  for (const PolicyFile &f : world.policies) load_policy_text(f.name, f.text, out.sources, out.diags, set);
  if (out.diags.has_errors()) return false;
  out.policy = ir::lower(set, out.diags);
  if (out.diags.has_errors()) return false;
  if (world.inventory_json.empty()) {
    out.endpoints = ir::EndpointSet::implicit_host(world.host_ips);
    return true;
  }
  uint32_t file = out.sources.add("endpoints.json", world.inventory_json);
  std::vector<Document> docs = parse_source(file, out.sources, out.diags);
  Inventory inventory;
  if (docs.empty() || !read_inventory(docs.front().root, out.diags, inventory) || out.diags.has_errors())
    return false;
  out.endpoints = ir::EndpointSet::from_inventory(inventory);
  return true;
}

ir::Packet reference_packet(const RandomPacket &p) {
  ir::Packet out;
  out.src = p.src;
  out.dst = p.dst;
  out.proto = static_cast<ast::Proto>(p.proto);
  out.sport = p.sport;
  out.dport = p.dport;
  out.icmp_type = p.icmp_type;
  out.icmp_code = p.icmp_code;
  return out;
}

runtime::PacketSpec kernel_packet(const RandomPacket &p) {
  runtime::PacketSpec spec;
  spec.src = p.src;
  spec.dst = p.dst;
  spec.proto = p.proto;
  spec.sport = p.sport;
  spec.dport = p.dport;
  spec.icmp_type = p.icmp_type;
  spec.icmp_code = p.icmp_code;
  return spec;
}

}  // namespace polc::test
