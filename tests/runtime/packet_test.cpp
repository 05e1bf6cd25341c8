// The packet builder: header layouts and lengths, and checksums recomputed
// here independently of runtime/checksum.cpp (except CRC32c, which is
// checked against its published test vector first).
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "runtime/checksum.h"
#include "runtime/packet.h"

namespace {

using Bytes = std::vector<uint8_t>;
using polc::runtime::build_packet;
using polc::runtime::PacketSpec;

polc::IpAddr ip(const char *text) {
  auto parsed = polc::parse_ip(text);
  REQUIRE_MESSAGE(parsed.value.has_value(), text);
  return *parsed.value;
}

uint16_t be16(const Bytes &b, size_t at) { return static_cast<uint16_t>(b.at(at) << 8 | b.at(at + 1)); }
uint32_t be32(const Bytes &b, size_t at) { return static_cast<uint32_t>(be16(b, at)) << 16 | be16(b, at + 2); }

// RFC 1071, the slow obvious way: a correct checksum makes the sum 0xffff.
uint32_t add_words(const Bytes &b, size_t from, size_t to, uint32_t sum = 0) {
  for (size_t i = from; i < to; i += 2) sum += (i + 1 < to) ? be16(b, i) : static_cast<uint32_t>(b[i]) << 8;
  return sum;
}
uint16_t fold(uint32_t sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

PacketSpec spec(const char *src, const char *dst, uint8_t proto) {
  PacketSpec s;
  s.src = ip(src);
  s.dst = ip(dst);
  s.proto = proto;
  s.sport = 40000;
  s.dport = 443;
  s.payload = "hello, odd";  // 10 bytes; ICMP/TCP sums then cover an even count, UDP 18
  return s;
}

// Sum of the IPv4 pseudo header for the frame's L4 segment.
uint32_t pseudo4(const Bytes &f, size_t ip_at, uint8_t proto, size_t l4_len) {
  uint32_t sum = add_words(f, ip_at + 12, ip_at + 20);
  return sum + proto + static_cast<uint32_t>(l4_len);
}
uint32_t pseudo6(const Bytes &f, size_t ip_at, uint8_t proto, size_t l4_len) {
  uint32_t sum = add_words(f, ip_at + 8, ip_at + 40);
  return sum + proto + static_cast<uint32_t>(l4_len);
}

}  // namespace

TEST_SUITE("runtime") {
  TEST_CASE("CRC32c matches its test vector") {
    const std::string digits = "123456789";
    CHECK(polc::runtime::crc32c(reinterpret_cast<const uint8_t *>(digits.data()), digits.size()) == 0xE3069283u);
  }

  TEST_CASE("IPv4 TCP: Ethernet, IPv4 header and TCP with valid checksums") {
    auto s = spec("10.1.2.3", "192.168.0.9", 6);
    s.tcp_flags = 0x12;  // SYN+ACK
    Bytes f = build_packet(s);
    REQUIRE(f.size() == 14 + 20 + 20 + 10);
    CHECK(be16(f, 12) == 0x0800);
    CHECK(f[14] == 0x45);
    CHECK(be16(f, 16) == 20 + 20 + 10);  // total length
    CHECK(be16(f, 20) == 0x4000);        // DF, offset 0
    CHECK(f[23] == 6);
    CHECK(f[26] == 10);
    CHECK(f[33] == 9);
    CHECK(fold(add_words(f, 14, 34)) == 0xffff);  // header checksum

    const size_t l4 = 34;
    CHECK(be16(f, l4) == 40000);
    CHECK(be16(f, l4 + 2) == 443);
    CHECK((f[l4 + 12] >> 4) == 5);  // data offset
    CHECK(f[l4 + 13] == 0x12);
    CHECK(fold(add_words(f, l4, f.size(), pseudo4(f, 14, 6, f.size() - l4))) == 0xffff);
    CHECK(std::string(f.end() - 10, f.end()) == "hello, odd");
  }

  TEST_CASE("IPv4 UDP with an odd length, and a VLAN tag") {
    auto s = spec("10.0.0.1", "10.0.0.2", 17);
    s.payload = "odd";
    s.vlan_id = 100;
    Bytes f = build_packet(s);
    CHECK(be16(f, 12) == 0x8100);
    CHECK((be16(f, 14) & 0x0fff) == 100);
    CHECK(be16(f, 16) == 0x0800);
    const size_t ip_at = 18, l4 = 38;
    REQUIRE(f.size() == l4 + 8 + 3);
    CHECK(fold(add_words(f, ip_at, ip_at + 20)) == 0xffff);
    CHECK(be16(f, l4 + 4) == 11);  // UDP length
    CHECK(be16(f, l4 + 6) != 0);   // a checksum is present
    CHECK(fold(add_words(f, l4, f.size(), pseudo4(f, ip_at, 17, 11))) == 0xffff);
  }

  TEST_CASE("IPv4 options are NOP words counted in the header length") {
    auto s = spec("10.0.0.1", "10.0.0.2", 17);
    s.ipv4_options_words = 2;
    Bytes f = build_packet(s);
    CHECK(f[14] == 0x47);
    CHECK(f[34] == 0x01);
    CHECK(f[41] == 0x01);
    CHECK(fold(add_words(f, 14, 14 + 28)) == 0xffff);
    CHECK(be16(f, 42 + 2) == 443);  // UDP follows the options
  }

  TEST_CASE("IPv4 fragments: flags, offset, id, and no L4 header after the first") {
    auto first = spec("10.0.0.1", "10.0.0.2", 17);
    first.fragment = true;
    first.more_fragments = true;
    first.fragment_id = 0x1234;
    Bytes f = build_packet(first);
    CHECK(be16(f, 18) == 0x1234);
    CHECK(be16(f, 20) == 0x2000);       // MF, offset 0, no DF
    CHECK(be16(f, 34 + 2) == 443);      // the first fragment has the ports

    auto later = first;
    later.fragment_offset = 3;
    later.more_fragments = false;
    later.payload = "rest";
    Bytes g = build_packet(later);
    CHECK(be16(g, 20) == 3);                 // offset 3 (x8 bytes), no flags
    REQUIRE(g.size() == 14 + 20 + 4);        // payload only
    CHECK(std::string(g.begin() + 34, g.end()) == "rest");
    CHECK(fold(add_words(g, 14, 34)) == 0xffff);
  }

  TEST_CASE("IPv6 UDP and TCP with pseudo header checksums") {
    for (uint8_t proto : {uint8_t(17), uint8_t(6)}) {
      CAPTURE(int(proto));
      Bytes f = build_packet(spec("fd00::1", "2001:db8::42", proto));
      CHECK(be16(f, 12) == 0x86dd);
      CHECK((f[14] >> 4) == 6);
      CHECK(f[20] == proto);
      CHECK(f[21] == 64);
      const size_t l4 = 54;
      CHECK(be16(f, 18) == f.size() - l4);  // payload length
      CHECK(f[22] == 0xfd);
      CHECK(f[53] == 0x42);
      CHECK(fold(add_words(f, l4, f.size(), pseudo6(f, 14, proto, f.size() - l4))) == 0xffff);
    }
  }

  TEST_CASE("IPv6 extension headers chain to the L4 header") {
    auto s = spec("fd00::1", "fd00::2", 6);
    s.ipv6_ext_headers = {0, 43, 60};
    Bytes f = build_packet(s);
    CHECK(f[20] == 0);           // hop-by-hop first
    CHECK(f[54] == 43);          // its next header: routing
    CHECK(f[55] == 0);           // 8 bytes long
    CHECK(f[56] == 1);           // PadN option
    CHECK(f[62] == 60);          // routing -> destination options
    CHECK(f[65] == 0);           // segments left 0
    CHECK(f[70] == 6);           // destination options -> TCP
    const size_t l4 = 54 + 24;
    CHECK(be16(f, 18) == f.size() - 54);
    CHECK(be16(f, l4 + 2) == 443);
    CHECK(fold(add_words(f, l4, f.size(), pseudo6(f, 14, 6, f.size() - l4))) == 0xffff);
  }

  TEST_CASE("IPv6 fragments carry a fragment header") {
    auto s = spec("fd00::1", "fd00::2", 17);
    s.fragment = true;
    s.more_fragments = true;
    s.fragment_id = 0xdeadbeef;
    Bytes f = build_packet(s);
    CHECK(f[20] == 44);
    CHECK(f[54] == 17);
    CHECK(be16(f, 56) == 0x0001);  // offset 0, M
    CHECK(be32(f, 58) == 0xdeadbeef);
    CHECK(be16(f, 62 + 2) == 443);

    s.fragment_offset = 10;
    s.more_fragments = false;
    Bytes g = build_packet(s);
    CHECK(be16(g, 56) == 10 << 3);
    CHECK(g.size() == 62 + s.payload.size());  // no UDP header
  }

  TEST_CASE("ICMP and ICMPv6 echo") {
    auto s = spec("10.0.0.1", "10.0.0.2", 1);
    s.icmp_type = 8;
    s.sport = 77;  // identifier
    Bytes f = build_packet(s);
    CHECK(f[34] == 8);
    CHECK(f[35] == 0);
    CHECK(be16(f, 38) == 77);
    CHECK(be16(f, 40) == 1);
    CHECK(fold(add_words(f, 34, f.size())) == 0xffff);  // no pseudo header for ICMPv4

    auto s6 = spec("fd00::1", "fd00::2", 58);
    s6.icmp_type = 128;
    Bytes g = build_packet(s6);
    CHECK(g[20] == 58);
    CHECK(g[54] == 128);
    CHECK(fold(add_words(g, 54, g.size(), pseudo6(g, 14, 58, g.size() - 54))) == 0xffff);
  }

  TEST_CASE("SCTP common header with a CRC32c checksum") {
    auto s = spec("10.0.0.1", "10.0.0.2", 132);
    Bytes f = build_packet(s);
    const size_t l4 = 34;
    CHECK(be16(f, l4) == 40000);
    CHECK(be16(f, l4 + 2) == 443);
    CHECK((f.size() - l4) % 4 == 0);
    CHECK(f[l4 + 12] == 0);  // DATA chunk
    Bytes zeroed(f.begin() + l4, f.end());
    const uint32_t stored = zeroed[8] | zeroed[9] << 8 | zeroed[10] << 16 | static_cast<uint32_t>(zeroed[11]) << 24;
    zeroed[8] = zeroed[9] = zeroed[10] = zeroed[11] = 0;
    CHECK(stored == polc::runtime::crc32c(zeroed.data(), zeroed.size()));
  }

  TEST_CASE("truncate_to cuts the frame") {
    auto s = spec("10.0.0.1", "10.0.0.2", 6);
    s.truncate_to = 40;
    CHECK(build_packet(s).size() == 40);
    s.truncate_to = 10000;  // longer than the frame: no change
    CHECK(build_packet(s).size() == 14 + 20 + 20 + 10);
  }
}
