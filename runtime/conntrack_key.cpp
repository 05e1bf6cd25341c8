#include "runtime/conntrack_key.h"

#include <arpa/inet.h>

#include <cstring>

#include "runtime/bpf_object.h"

namespace polc::runtime {
namespace {

bool is_icmp(uint8_t proto) { return proto == 1 || proto == 58; }

// The ports as the datapath compares them: as stored in the key (network
// order) read as native 16-bit numbers.
uint16_t wire_port(uint16_t port) { return htons(port); }

}  // namespace

bool ct_sender_is_b(const CtTuple &packet) {
  // Native 32-bit words, as ct_sender_is_b in templates/conntrack.h.
  for (size_t i = 0; i < 16; i += 4) {
    uint32_t s, d;
    std::memcpy(&s, packet.saddr.bytes.data() + i, 4);
    std::memcpy(&d, packet.daddr.bytes.data() + i, 4);
    if (s != d) return d < s;
  }
  const uint16_t sport = wire_port(packet.sport);
  const uint16_t dport = wire_port(is_icmp(packet.proto) ? packet.sport : packet.dport);
  return dport < sport;
}

polc_ct_key ct_key(const CtTuple &packet) {
  polc_ct_key key{};
  const bool b = ct_sender_is_b(packet);
  const uint16_t sport = wire_port(packet.sport);
  const uint16_t dport = wire_port(is_icmp(packet.proto) ? packet.sport : packet.dport);
  std::memcpy(key.addr_a, (b ? packet.daddr : packet.saddr).bytes.data(), 16);
  std::memcpy(key.addr_b, (b ? packet.saddr : packet.daddr).bytes.data(), 16);
  key.port_a = b ? dport : sport;
  key.port_b = b ? sport : dport;
  key.proto = packet.proto;
  key.family = packet.saddr.family == Family::V4 ? 4 : 6;
  key.opener = is_icmp(packet.proto) && b ? 1 : 0;
  return key;
}

namespace {

// polc_ct_key's fields for an IPv4 tuple, in polc_ct4's layout.
polc_ct4_key ct4_key(const CtTuple &packet) {
  const polc_ct_key wide = ct_key(packet);
  polc_ct4_key key{};
  std::memcpy(&key.addr_a, wide.addr_a, 4);
  std::memcpy(&key.addr_b, wide.addr_b, 4);
  key.port_a = wide.port_a;
  key.port_b = wide.port_b;
  key.proto = wide.proto;
  key.opener = wide.opener;
  return key;
}

}  // namespace

CtSlot ct_slot(const CtTuple &packet) {
  auto bytes = [](const auto &key) {
    const auto *p = reinterpret_cast<const uint8_t *>(&key);
    return std::vector<uint8_t>(p, p + sizeof key);
  };
  if (packet.saddr.family == Family::V4) return {kConntrackMaps[0], bytes(ct4_key(packet))};
  return {kConntrackMaps[1], bytes(ct_key(packet))};
}

Result<std::optional<polc_ct_value>> ct_entry(const BpfObject &object, const CtTuple &packet) {
  const CtSlot slot = ct_slot(packet);
  polc_ct_value value{};
  Result<bool> found = map_lookup(object.map_fd(slot.map), slot.key.data(), &value);
  if (!found) return found.error();
  if (!*found) return std::optional<polc_ct_value>();
  return std::optional<polc_ct_value>(value);
}

}  // namespace polc::runtime
