// The conntrack key of a connection as the datapath builds it
// (templates/maps_abi.h, templates/conntrack.h): both endpoints in a fixed
// order, so that user space finds the entry a packet either way finds.
#pragma once

#include <cstdint>

#include "frontend/net.h"
#include "templates/maps_abi.h"

namespace polc::runtime {

struct CtTuple {
  IpAddr saddr, daddr;
  uint16_t sport = 0, dport = 0;  // host order; ICMP echo: the identifier in sport
  uint8_t proto = 0;
};

// The key of the connection `packet` belongs to. For ICMP echo, `packet`
// is the request (its sender opened the pseudo-connection).
polc_ct_key ct_key(const CtTuple &packet);
// True when the tuple's sender is the key's endpoint b.
bool ct_sender_is_b(const CtTuple &packet);

}  // namespace polc::runtime
