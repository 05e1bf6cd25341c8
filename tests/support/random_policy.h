// Seeded random worlds for the differential test: policy files written as
// text (rule JSON, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy and
// Kubernetes NetworkPolicy, in JSON or YAML) so they go through the real
// readers, an inventory written as JSON, and random packets aimed at the
// interesting places of the world: endpoint addresses, the edges of the
// policy's CIDRs and excepts, the edges of its port ranges.
//
// Everything comes from one 64-bit seed through SplitMix64 (not <random>'s
// distributions, whose results differ between standard libraries), so a
// seed printed on a failure reproduces the same world anywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/net.h"

namespace polc::test {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  uint32_t below(uint32_t n);  // [0, n); n > 0
  int between(int lo, int hi);  // [lo, hi]
  bool chance(int percent);
  template <typename T>
  const T &pick(const std::vector<T> &v) {
    return v[below(static_cast<uint32_t>(v.size()))];
  }

 private:
  uint64_t state_;
};

struct PolicyFile {
  std::string name;  // the extension picks the reader: .json or .yaml
  std::string text;
};

struct RandomWorld {
  uint64_t seed = 0;
  std::vector<PolicyFile> policies;
  // JSON inventory; empty means no inventory: the implicit host endpoint
  // with `host_ips`.
  std::string inventory_json;
  std::vector<IpAddr> host_ips;

  // Where packets should go.
  std::vector<IpAddr> endpoint_ips;
  std::vector<IpAddr> other_ips;  // CIDR and except edges, random outsiders
  std::vector<uint16_t> ports;    // rule ports and their neighbours
  std::vector<uint8_t> icmp_types4, icmp_types6;
};

RandomWorld random_world(uint64_t seed);

struct RandomPacket {
  IpAddr src, dst;
  uint8_t proto = 6;  // 6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6
  uint16_t sport = 0, dport = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
};

RandomPacket random_packet(const RandomWorld &world, Rng &rng);
std::string describe(const RandomPacket &p);
// The whole world as text, to reproduce a failure by hand.
std::string describe(const RandomWorld &world);

}  // namespace polc::test
