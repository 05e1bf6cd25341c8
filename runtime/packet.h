// Builds real packet bytes for BPF_PROG_TEST_RUN: Ethernet (optionally one
// VLAN tag), IPv4 or IPv6, then TCP, UDP, SCTP, ICMP or ICMPv6 with valid
// checksums and an optional payload. Also crafts the odd ones the datapath
// must drop or handle: fragments, IPv4 options, IPv6 extension headers,
// truncated headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontend/net.h"

namespace polc::runtime {

struct PacketSpec {
  IpAddr src, dst;           // same family
  uint8_t proto = 6;         // IPPROTO_TCP, _UDP, _SCTP, _ICMP, _ICMPV6
  uint16_t sport = 40000, dport = 80;
  uint8_t icmp_type = 8, icmp_code = 0;
  uint8_t tcp_flags = 0x02;  // SYN
  uint32_t tcp_seq = 1;
  uint32_t tcp_ack = 1;      // written only when ACK is set
  std::string payload;
  std::optional<uint16_t> vlan_id;
  uint8_t ipv4_options_words = 0;            // extra 32-bit words of IPv4 options (NOPs)
  std::vector<uint8_t> ipv6_ext_headers;     // next-header values to insert before L4 (0, 43, 60)
  // Fragmentation: `fragment_offset` in 8-byte units, `more_fragments` flag;
  // fragment_id for IPv4 (16 bits used) and IPv6 (32 bits, adds a fragment header).
  bool fragment = false;
  uint16_t fragment_offset = 0;
  bool more_fragments = false;
  uint32_t fragment_id = 1;
  size_t truncate_to = 0;  // >0: cut the frame to this many bytes
};

std::vector<uint8_t> build_packet(const PacketSpec &spec);

}  // namespace polc::runtime
