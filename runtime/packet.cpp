// build_packet: the frame is assembled inside out (L4 segment, then the IP
// header that needs its length, then Ethernet), because each layer's length
// and checksum depend on what it carries.
#include "runtime/packet.h"

#include <algorithm>

#include "runtime/checksum.h"

namespace polc::runtime {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoSctp = 132, kProtoIcmpv6 = 58;
constexpr uint8_t kExtHopByHop = 0, kExtRouting = 43, kExtFragment = 44, kExtDestination = 60;

void put16(Bytes &b, uint16_t v) {
  b.push_back(v >> 8);
  b.push_back(v & 0xff);
}
void put32(Bytes &b, uint32_t v) {
  put16(b, v >> 16);
  put16(b, v & 0xffff);
}
void set16(Bytes &b, size_t at, uint16_t v) {
  b[at] = v >> 8;
  b[at + 1] = v & 0xff;
}
void append(Bytes &b, const std::string &s) { b.insert(b.end(), s.begin(), s.end()); }

// The sum of the pseudo header TCP, UDP and ICMPv6 checksums start from
// (RFC 793, RFC 768, RFC 8200 §8.1).
uint32_t pseudo_header_sum(const PacketSpec &spec, uint8_t l4_proto, size_t l4_length) {
  Bytes p;
  const size_t addr_len = spec.src.family == Family::V4 ? 4 : 16;
  p.insert(p.end(), spec.src.bytes.begin(), spec.src.bytes.begin() + addr_len);
  p.insert(p.end(), spec.dst.bytes.begin(), spec.dst.bytes.begin() + addr_len);
  if (spec.src.family == Family::V4) {
    p.push_back(0);
    p.push_back(l4_proto);
    put16(p, static_cast<uint16_t>(l4_length));
  } else {
    put32(p, static_cast<uint32_t>(l4_length));
    put32(p, l4_proto);
  }
  return ones_complement_sum(p.data(), p.size());
}

void store_l4_checksum(Bytes &segment, size_t at, uint32_t pseudo_sum, bool zero_means_none) {
  uint16_t sum = fold_checksum(ones_complement_sum(segment.data(), segment.size(), pseudo_sum));
  if (sum == 0 && zero_means_none) sum = 0xffff;  // UDP: 0 would say "no checksum"
  set16(segment, at, sum);
}

Bytes tcp_segment(const PacketSpec &spec) {
  Bytes s;
  put16(s, spec.sport);
  put16(s, spec.dport);
  put32(s, spec.tcp_seq);
  put32(s, spec.tcp_flags & 0x10 ? spec.tcp_ack : 0);  // acknowledgment number, when ACK is set
  s.push_back(5 << 4);  // data offset: 5 words, no options
  s.push_back(spec.tcp_flags);
  put16(s, 65535);  // window
  put16(s, 0);      // checksum, below
  put16(s, 0);      // urgent pointer
  append(s, spec.payload);
  store_l4_checksum(s, 16, pseudo_header_sum(spec, kProtoTcp, s.size()), false);
  return s;
}

Bytes udp_datagram(const PacketSpec &spec) {
  Bytes s;
  put16(s, spec.sport);
  put16(s, spec.dport);
  put16(s, static_cast<uint16_t>(8 + spec.payload.size()));
  put16(s, 0);
  append(s, spec.payload);
  store_l4_checksum(s, 6, pseudo_header_sum(spec, kProtoUdp, s.size()), true);
  return s;
}

// Common header, then one DATA chunk carrying the payload (if any).
Bytes sctp_packet(const PacketSpec &spec) {
  Bytes s;
  put16(s, spec.sport);
  put16(s, spec.dport);
  put32(s, 1);  // verification tag
  put32(s, 0);  // checksum, below
  if (!spec.payload.empty()) {
    s.push_back(0);     // chunk type DATA
    s.push_back(0x03);  // B and E: the whole message
    put16(s, static_cast<uint16_t>(16 + spec.payload.size()));
    put32(s, 1);  // TSN
    put16(s, 0);  // stream id
    put16(s, 0);  // stream sequence number
    put32(s, 0);  // payload protocol id
    append(s, spec.payload);
    while (s.size() % 4) s.push_back(0);
  }
  // CRC32c goes in least significant byte first, as Linux stores it.
  const uint32_t crc = crc32c(s.data(), s.size());
  for (int i = 0; i < 4; ++i) s[8 + i] = (crc >> (8 * i)) & 0xff;
  return s;
}

// Echo request/reply layout (type, code, checksum, identifier, sequence);
// the identifier is the source "port", the sequence number 1.
Bytes icmp_message(const PacketSpec &spec, bool v6) {
  Bytes s;
  s.push_back(spec.icmp_type);
  s.push_back(spec.icmp_code);
  put16(s, 0);
  put16(s, spec.sport);
  put16(s, 1);
  append(s, spec.payload);
  const uint32_t initial = v6 ? pseudo_header_sum(spec, kProtoIcmpv6, s.size()) : 0;
  store_l4_checksum(s, 2, initial, false);
  return s;
}

Bytes l4_bytes(const PacketSpec &spec) {
  switch (spec.proto) {
    case kProtoTcp: return tcp_segment(spec);
    case kProtoUdp: return udp_datagram(spec);
    case kProtoSctp: return sctp_packet(spec);
    case kProtoIcmp: return icmp_message(spec, false);
    case kProtoIcmpv6: return icmp_message(spec, true);
    default: return Bytes(spec.payload.begin(), spec.payload.end());
  }
}

Bytes ipv4_header(const PacketSpec &spec, size_t carried) {
  Bytes h;
  const uint8_t words = 5 + spec.ipv4_options_words;
  h.push_back(0x40 | (words & 0x0f));
  h.push_back(0);  // DSCP/ECN
  put16(h, static_cast<uint16_t>(words * 4 + carried));
  put16(h, static_cast<uint16_t>(spec.fragment_id));
  uint16_t flags_offset = spec.fragment_offset & 0x1fff;
  if (spec.more_fragments) flags_offset |= 0x2000;                    // MF
  if (!spec.fragment && !spec.more_fragments) flags_offset |= 0x4000;  // DF
  put16(h, flags_offset);
  h.push_back(64);  // TTL
  h.push_back(spec.proto);
  put16(h, 0);  // checksum, below
  h.insert(h.end(), spec.src.bytes.begin(), spec.src.bytes.begin() + 4);
  h.insert(h.end(), spec.dst.bytes.begin(), spec.dst.bytes.begin() + 4);
  h.insert(h.end(), spec.ipv4_options_words * 4u, 0x01);  // NOP options
  set16(h, 10, fold_checksum(ones_complement_sum(h.data(), h.size())));
  return h;
}

// One 8-byte extension header. Hop-by-hop and destination options are
// filled with a PadN option; a routing header has segments left 0, so a
// receiver skips it whatever its type.
Bytes ipv6_extension(uint8_t kind, uint8_t next, const PacketSpec &spec) {
  Bytes e = {next, 0};  // next header, length in 8-byte units beyond the first
  switch (kind) {
    case kExtHopByHop:
    case kExtDestination: e.insert(e.end(), {1, 4, 0, 0, 0, 0}); break;  // PadN, 4 bytes
    case kExtRouting: e.insert(e.end(), {253, 0, 0, 0, 0, 0}); break;     // experimental type, segments left 0
    case kExtFragment: {
      e[1] = 0;  // reserved (the fragment header has no length field)
      uint16_t offset_flags = static_cast<uint16_t>(spec.fragment_offset << 3) | (spec.more_fragments ? 1 : 0);
      put16(e, offset_flags);
      put32(e, spec.fragment_id);
      break;
    }
    default: e.insert(e.end(), 6, 0); break;
  }
  return e;
}

Bytes ipv6_header(const PacketSpec &spec, const Bytes &extensions, uint8_t first_next, size_t carried) {
  Bytes h;
  put32(h, 0x60000000);  // version 6, traffic class 0, flow label 0
  put16(h, static_cast<uint16_t>(extensions.size() + carried));
  h.push_back(first_next);
  h.push_back(64);  // hop limit
  h.insert(h.end(), spec.src.bytes.begin(), spec.src.bytes.end());
  h.insert(h.end(), spec.dst.bytes.begin(), spec.dst.bytes.end());
  h.insert(h.end(), extensions.begin(), extensions.end());
  return h;
}

}  // namespace

std::vector<uint8_t> build_packet(const PacketSpec &spec) {
  const bool v4 = spec.src.family == Family::V4;
  // A later fragment starts inside the datagram: no L4 header, only bytes.
  const bool later_fragment = spec.fragment && spec.fragment_offset > 0;
  const Bytes l4 = later_fragment ? Bytes(spec.payload.begin(), spec.payload.end()) : l4_bytes(spec);

  Bytes ip;
  if (v4) {
    ip = ipv4_header(spec, l4.size());
  } else {
    std::vector<uint8_t> chain = spec.ipv6_ext_headers;
    if (spec.fragment && std::find(chain.begin(), chain.end(), kExtFragment) == chain.end())
      chain.push_back(kExtFragment);
    Bytes extensions;
    for (size_t i = 0; i < chain.size(); ++i) {
      const uint8_t next = i + 1 < chain.size() ? chain[i + 1] : spec.proto;
      const Bytes e = ipv6_extension(chain[i], next, spec);
      extensions.insert(extensions.end(), e.begin(), e.end());
    }
    ip = ipv6_header(spec, extensions, chain.empty() ? spec.proto : chain.front(), l4.size());
  }

  Bytes frame = {0x02, 0, 0, 0, 0, 0x02,   // destination MAC
                 0x02, 0, 0, 0, 0, 0x01};  // source MAC
  if (spec.vlan_id) {
    put16(frame, 0x8100);
    put16(frame, *spec.vlan_id & 0x0fff);  // priority 0, DEI 0
  }
  put16(frame, v4 ? 0x0800 : 0x86dd);
  frame.insert(frame.end(), ip.begin(), ip.end());
  frame.insert(frame.end(), l4.begin(), l4.end());
  if (spec.truncate_to > 0 && spec.truncate_to < frame.size()) frame.resize(spec.truncate_to);
  return frame;
}

}  // namespace polc::runtime
