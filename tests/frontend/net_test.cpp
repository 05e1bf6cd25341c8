#include <doctest/doctest.h>

#include "frontend/net.h"

using polc::parse_ip;
using polc::parse_prefix;

TEST_CASE("frontend: IPv4 parsing is strict") {
  CHECK(parse_ip("10.0.0.1").value->str() == "10.0.0.1");
  CHECK(parse_ip("255.255.255.255").value.has_value());
  CHECK(parse_ip("10.0.0.300").error == "octet 300 out of range");
  CHECK(parse_ip("10.0.0").error == "expected 4 octets");
  CHECK(parse_ip("10.0.0.1.2").error == "more than 4 octets");
  CHECK(parse_ip("10.0.0.1x").error == "unexpected character 'x'");
  CHECK(parse_ip(" 10.0.0.1").error == "unexpected character ' '");
  CHECK(parse_ip("010.0.0.1").error == "octet 010 has a leading zero");
  CHECK(parse_ip("").error == "empty address");
}

TEST_CASE("frontend: IPv6 parsing and RFC 5952 output") {
  CHECK(parse_ip("fd00::10").value->str() == "fd00::10");
  CHECK(parse_ip("FD00:0:0:0:0:0:0:1").value->str() == "fd00::1");
  CHECK(parse_ip("::").value->str() == "::");
  CHECK(parse_ip("::1").value->str() == "::1");
  CHECK(parse_ip("2001:db8:0:0:1:0:0:1").value->str() == "2001:db8::1:0:0:1");  // first longest run
  CHECK(parse_ip("2001:db8:0:1:1:1:1:1").value->str() == "2001:db8:0:1:1:1:1:1");  // one zero group stays
  CHECK(parse_ip("::ffff:10.1.2.3").value->str() == "::ffff:10.1.2.3");
  CHECK(parse_ip("64:ff9b::192.0.2.33").value->bytes[15] == 33);
  CHECK(!parse_ip("1::2::3").value);
  CHECK(!parse_ip("1:2:3:4:5:6:7").value);
  CHECK(!parse_ip("1:2:3:4:5:6:7:8:9").value);
  CHECK(!parse_ip("12345::").value);
  CHECK(!parse_ip(":1::").value);
  CHECK(!parse_ip("1::2:").value);
  CHECK(!parse_ip("::ffff:1.2.3.256").value);
}

TEST_CASE("frontend: prefixes check lengths and normalize host bits") {
  auto p = parse_prefix("10.0.0.0/8");
  REQUIRE(p.value);
  CHECK(p.value->str() == "10.0.0.0/8");
  CHECK(!p.host_bits);
  auto h = parse_prefix("10.1.2.3/8");
  REQUIRE(h.value);
  CHECK(h.host_bits);
  CHECK(h.value->str() == "10.0.0.0/8");
  CHECK(parse_prefix("10.0.0.0/33").error == "prefix length 33 out of range for IPv4");
  CHECK(parse_prefix("fd00::/129").error == "prefix length 129 out of range for IPv6");
  CHECK(parse_prefix("10.0.0.0/").error == "missing prefix length after '/'");
  CHECK(!parse_prefix("10.0.0.0/8x").value);
  CHECK(parse_prefix("10.0.0.7").value->len == 32);
  CHECK(parse_prefix("fd00::1").value->len == 128);
  auto v6 = parse_prefix("fd00::1:2/112");
  CHECK(v6.host_bits);
  CHECK(v6.value->str() == "fd00::1:0/112");
  CHECK(parse_prefix("0.0.0.0/0").value->contains(*parse_ip("1.2.3.4").value));
  CHECK(!parse_prefix("10.0.0.0/8").value->contains(*parse_ip("11.0.0.1").value));
  CHECK(!parse_prefix("::/0").value->contains(*parse_ip("1.2.3.4").value));
  CHECK(parse_prefix("10.0.0.0/8").value->contains(*parse_prefix("10.1.0.0/16").value));
}
