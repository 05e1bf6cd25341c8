// The C generator: config.h follows the shape, the program file follows the
// hook, and the output is deterministic.
#include <doctest/doctest.h>

#include <string>

#include "codegen/embedded_headers.h"
#include "codegen/generate.h"

using namespace polc;
using codegen::Hook;

namespace {

const std::string &config_of(const codegen::GeneratedProgram &program) {
  REQUIRE(program.headers.size() == 1);
  REQUIRE(program.headers[0].first == "config.h");
  return program.headers[0].second;
}

}  // namespace

TEST_SUITE("codegen") {
  TEST_CASE("config.h turns every shape field into a 0/1 define") {
    ir::DatapathShape shape;
    shape.enforce_ingress = true;
    shape.deny_lengths.peer = 1u << 24 | 1u << 8;
    shape.allow_lengths.any_peer = 1u;
    shape.icmp_types = true;
    auto program = codegen::try_generate_datapath(shape, Hook::Tc);
    REQUIRE(program.ok());
    const std::string &config = config_of(*program);
    CHECK(config.find("#define POLC_HAVE_ENFORCE_INGRESS 1\n") != std::string::npos);
    CHECK(config.find("#define POLC_HAVE_ENFORCE_EGRESS 0\n") != std::string::npos);
    CHECK(config.find("#define POLC_HAVE_CIDR 0\n") != std::string::npos);
    // The lookups, longest first; none where the policy has no entries.
    CHECK(config.find("#define POLC_DENY_PEER_LENGTHS(X) X(24) X(8)\n") != std::string::npos);
    CHECK(config.find("#define POLC_DENY_ANY_LENGTHS(X) \n") != std::string::npos);
    CHECK(config.find("#define POLC_ALLOW_PEER_LENGTHS(X) \n") != std::string::npos);
    CHECK(config.find("#define POLC_ALLOW_ANY_LENGTHS(X) X(0)\n") != std::string::npos);
    CHECK(config.find("#define POLC_HAVE_L4_PORTS 0\n") != std::string::npos);
    CHECK(config.find("#define POLC_HAVE_ICMP_TYPES 1\n") != std::string::npos);
    CHECK(config.find("#define POLC_HAVE_HTTP 0\n") != std::string::npos);
    CHECK(config.find("#define POLC_POLICY_MAX 262144\n") != std::string::npos);
    CHECK(config.find("{{") == std::string::npos);
  }

  TEST_CASE("map sizes are configurable") {
    codegen::MapSizes sizes;
    sizes.ipcache = 1024;
    auto program = codegen::try_generate_datapath({}, Hook::Tc, sizes);
    REQUIRE(program.ok());
    CHECK(config_of(*program).find("#define POLC_IPCACHE_MAX 1024\n") != std::string::npos);
  }

  TEST_CASE("the hook chooses the program file") {
    auto tc = codegen::generate_datapath({}, Hook::Tc);
    auto xdp = codegen::generate_datapath({}, Hook::Xdp);
    CHECK(tc.main_file == "prog_tc.c");
    CHECK(xdp.main_file == "prog_xdp.c");
    CHECK(tc.source == codegen::embedded_header("prog_tc.c"));
    CHECK(xdp.source.find("POLC_HOOK_XDP") != std::string::npos);
    CHECK(tc.source.find("int polc_ingress(") != std::string::npos);
    CHECK(tc.source.find("int polc_egress(") != std::string::npos);
    CHECK(xdp.source.find("int polc_xdp_ingress(") != std::string::npos);
    CHECK(codegen::hook_traits(Hook::Tc).programs.size() == 2);
    CHECK(codegen::hook_traits(Hook::Xdp).programs.size() == 1);
  }

  TEST_CASE("every template the programs include is embedded") {
    for (const char *name : {"config.h.in", "prog_tc.c", "prog_xdp.c", "datapath.h", "ctx.h", "eth.h",
                             "ipv4.h", "ipv6.h", "l4.h", "ipcache.h", "policy.h", "frag.h", "maps.h",
                             "drop.h", "common.h", "compiler.h", "http.h", "maps_abi.h"}) {
      CAPTURE(name);
      CHECK_FALSE(codegen::embedded_header(name).empty());
    }
  }

  TEST_CASE("generation is deterministic and depends on the shape") {
    ir::DatapathShape a;
    a.enforce_egress = true;
    ir::DatapathShape b = a;
    b.l4_ports = true;
    auto first = codegen::generate_datapath(a, Hook::Tc);
    auto again = codegen::generate_datapath(a, Hook::Tc);
    auto other = codegen::generate_datapath(b, Hook::Tc);
    CHECK(first.source == again.source);
    CHECK(first.headers == again.headers);
    CHECK(first.headers != other.headers);
  }
}
