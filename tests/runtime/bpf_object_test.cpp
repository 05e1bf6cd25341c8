// Loading compiled programs into the kernel and running them on packets
// from build_packet: the verdict must depend on the packet, maps must be
// readable and writable, and a rejected program must point at its C line.
#include <doctest/doctest.h>

#include <linux/pkt_cls.h>

#include <algorithm>

#include "codegen/bpf_compiler.h"
#include "runtime/bpf_object.h"
#include "runtime/packet.h"
#include "tests/support/test_env.h"

namespace {

using polc::runtime::BpfObject;
using polc::runtime::PacketSpec;

std::vector<uint8_t> compile_test_program(const std::string &name) {
  polc::codegen::CompileInput input;
  input.file_name = name;
  input.source = polc::test::read_file(polc::test::source_dir() / "tests/data/bpf" / name);
  auto elf = polc::codegen::compile_bpf_c(input);
  REQUIRE_MESSAGE(elf.ok(), (elf.ok() ? "" : elf.error().message));
  return elf.value();
}

polc::IpAddr ip(const char *text) {
  auto parsed = polc::parse_ip(text);
  REQUIRE_MESSAGE(parsed.value.has_value(), text);
  return *parsed.value;
}

PacketSpec udp(const char *src, const char *dst, uint16_t dport) {
  PacketSpec spec;
  spec.src = ip(src);
  spec.dst = ip(dst);
  spec.proto = 17;
  spec.dport = dport;
  spec.payload = "query";
  return spec;
}

uint32_t verdict(int prog_fd, const PacketSpec &spec) {
  auto run = polc::runtime::test_run(prog_fd, polc::runtime::build_packet(spec));
  REQUIRE_MESSAGE(run.ok(), (run.ok() ? "" : run.error().message));
  return run.value().retval;
}

bool has(const std::vector<std::string> &names, const std::string &name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_SUITE("runtime") {
  TEST_CASE("an object opened from memory lists its programs and maps before loading") {
    auto obj = BpfObject::open_memory(compile_test_program("drop_port.bpf.c"), "drop_port");
    REQUIRE_MESSAGE(obj.ok(), (obj.ok() ? "" : obj.error().message));
    CHECK(obj->program_names() == std::vector<std::string>{"drop_port"});
    CHECK(has(obj->map_names(), "blocked_port"));
    CHECK(has(obj->map_names(), "drops"));
    CHECK(obj->program_fd("drop_port") < 0);  // not loaded yet
  }

  TEST_CASE("garbage is not an object") {
    auto obj = BpfObject::open_memory(std::vector<uint8_t>(100, 0x42), "garbage");
    REQUIRE_FALSE(obj.ok());
    CHECK(obj.error().message.find("bpf_object__open_mem") != std::string::npos);
  }

  TEST_CASE("a loaded program drops UDP to the blocked port only, and maps steer it") {
    if (!polc::test::bpf_tests_enabled()) return;
    auto obj = BpfObject::open_memory(compile_test_program("drop_port.bpf.c"), "drop_port");
    REQUIRE(obj.ok());
    auto loaded = obj->load();
    REQUIRE_MESSAGE(loaded.ok(), (loaded.ok() ? "" : loaded.error().message));

    REQUIRE(obj->reports().size() == 1);
    const auto &report = obj->reports()[0];
    CHECK(report.name == "drop_port");
    CHECK(report.section == "tc");
    CHECK(report.loaded);
    CHECK(report.insn_count > 10);
    CHECK(report.verified_insns > 0);
    CHECK(report.verifier_log.find("processed ") != std::string::npos);

    const int prog = obj->program_fd("drop_port");
    REQUIRE(prog >= 0);
    CHECK(obj->program_fd("no_such_program") == -1);
    CHECK(obj->map_fd("no_such_map") == -1);

    CHECK(verdict(prog, udp("10.0.0.1", "10.0.0.2", 53)) == TC_ACT_SHOT);
    CHECK(verdict(prog, udp("10.0.0.1", "10.0.0.2", 80)) == TC_ACT_OK);
    CHECK(verdict(prog, udp("fd00::1", "fd00::2", 53)) == TC_ACT_SHOT);
    CHECK(verdict(prog, udp("fd00::1", "fd00::2", 5353)) == TC_ACT_OK);
    auto tcp53 = udp("10.0.0.1", "10.0.0.2", 53);
    tcp53.proto = 6;
    CHECK(verdict(prog, tcp53) == TC_ACT_OK);
    auto with_options = udp("10.0.0.1", "10.0.0.2", 53);
    with_options.ipv4_options_words = 3;  // the program follows ihl
    CHECK(verdict(prog, with_options) == TC_ACT_SHOT);

    const int drops = obj->map_fd("drops");
    REQUIRE(drops >= 0);
    uint32_t zero = 0;
    uint64_t count = 0;
    auto found = polc::runtime::map_lookup(drops, &zero, &count);
    REQUIRE(found.ok());
    CHECK(found.value());
    CHECK(count == 3);

    const int blocked = obj->map_fd("blocked_port");
    REQUIRE(blocked >= 0);
    uint16_t port = 5353;
    REQUIRE(polc::runtime::map_update(blocked, &zero, &port).ok());
    CHECK(verdict(prog, udp("fd00::1", "fd00::2", 5353)) == TC_ACT_SHOT);
    CHECK(verdict(prog, udp("10.0.0.1", "10.0.0.2", 53)) == TC_ACT_OK);

    uint32_t out_of_range = 7;  // an array of one entry
    CHECK_FALSE(polc::runtime::map_update(blocked, &out_of_range, &port).ok());
    auto missing = polc::runtime::map_lookup(blocked, &out_of_range, &port);
    REQUIRE(missing.ok());
    CHECK_FALSE(missing.value());
  }

  TEST_CASE("test_run returns the packet and repeats") {
    if (!polc::test::bpf_tests_enabled()) return;
    auto obj = BpfObject::open_memory(compile_test_program("drop_port.bpf.c"), "drop_port");
    REQUIRE(obj.ok());
    REQUIRE(obj->load().ok());
    const auto packet = polc::runtime::build_packet(udp("10.0.0.1", "10.0.0.2", 80));
    auto run = polc::runtime::test_run(obj->program_fd("drop_port"), packet, 50);
    REQUIRE(run.ok());
    CHECK(run->retval == TC_ACT_OK);
    CHECK(run->data_out == packet);
    CHECK_FALSE(polc::runtime::test_run(-1, packet).ok());
  }

  TEST_CASE("a program the verifier rejects fails with exit code 3 and names its source line") {
    if (!polc::test::bpf_tests_enabled()) return;
    auto obj = BpfObject::open_memory(compile_test_program("rejected.bpf.c"), "rejected");
    REQUIRE(obj.ok());
    auto loaded = obj->load();
    REQUIRE_FALSE(loaded.ok());
    const std::string &message = loaded.error().message;
    CAPTURE(message);
    CHECK(loaded.error().exit_code == 3);
    CHECK(message.find("\"unchecked_read\"") != std::string::npos);
    CHECK(message.find("rejected.bpf.c:11") != std::string::npos);
    CHECK(message.find("__u32 first_word = *(__u32 *)data;") != std::string::npos);
    CHECK(message.find("invalid") != std::string::npos);  // the verifier's reason, e.g. "invalid access to packet"

    REQUIRE(obj->reports().size() == 1);
    CHECK_FALSE(obj->reports()[0].loaded);
    CHECK(obj->reports()[0].verifier_log.find("@ rejected.bpf.c:11") != std::string::npos);
    CHECK(obj->program_fd("unchecked_read") < 0);
  }
}
