// IP addresses and prefixes, IPv4 and IPv6 in one value type. Parsing
// returns a reason on failure, worded for a diagnostic
// ("octet 300 out of range").
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace polc {

enum class Family : uint8_t { V4 = 4, V6 = 6 };

struct IpAddr {
  Family family = Family::V4;
  std::array<uint8_t, 16> bytes{};  // V4 uses the first 4, network order

  size_t width_bits() const { return family == Family::V4 ? 32 : 128; }
  bool bit(size_t i) const { return (bytes[i / 8] >> (7 - i % 8)) & 1; }
  std::string str() const;
  auto operator<=>(const IpAddr &) const = default;
};

struct Prefix {
  IpAddr addr;     // host bits always zero once normalized
  uint8_t len = 0;

  Family family() const { return addr.family; }
  bool contains(const IpAddr &a) const;
  bool contains(const Prefix &p) const { return p.len >= len && contains(p.addr); }
  std::string str() const;
  auto operator<=>(const Prefix &) const = default;
};

template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;     // set when value is empty
  bool host_bits = false;  // prefixes: the address had bits set past the length
};

Parsed<IpAddr> parse_ip(std::string_view text);
// "10.0.0.0/8", "fd00::/64"; a bare address is a host prefix (/32, /128).
Parsed<Prefix> parse_prefix(std::string_view text);

}  // namespace polc
