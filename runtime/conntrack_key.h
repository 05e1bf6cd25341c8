// The conntrack key of a connection as the datapath builds it
// (templates/maps_abi.h, templates/conntrack.h): both endpoints in a fixed
// order, so that user space finds the entry a packet either way finds.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "frontend/net.h"
#include "frontend/result.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

struct CtTuple {
  IpAddr saddr, daddr;
  uint16_t sport = 0, dport = 0;  // host order; ICMP echo: the identifier in sport
  uint8_t proto = 0;
};

// The conntrack maps of a datapath object (templates/maps.h): IPv4, IPv6.
inline constexpr const char *kConntrackMaps[] = {"polc_ct4", "polc_ct"};

// The key of the connection `packet` belongs to, in polc_ct's layout. For
// ICMP echo, `packet` is the request (its sender opened the
// pseudo-connection).
polc_ct_key ct_key(const CtTuple &packet);

// Where the connection's entry lives: the conntrack map of its family and
// the key's bytes there.
struct CtSlot {
  const char *map;
  std::vector<uint8_t> key;
};
CtSlot ct_slot(const CtTuple &packet);

class BpfObject;
// The connection's entry in `object`'s conntrack map of its family, or
// nullopt when there is none.
Result<std::optional<polc_ct_value>> ct_entry(const BpfObject &object, const CtTuple &packet);
// True when the tuple's sender is the key's endpoint b.
bool ct_sender_is_b(const CtTuple &packet);

}  // namespace polc::runtime
