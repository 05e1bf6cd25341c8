// The in-process BPF compiler: real ELF for the BPF machine, with BTF,
// identical bytes on every run, no machine paths, nothing read from disk,
// and compile errors that quote the generated line.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "codegen/bpf_compiler.h"
#include "codegen/bpf_compiler_args.h"
#include "codegen/embedded_headers.h"
#include "tests/support/test_env.h"

namespace {

using polc::codegen::CompileInput;

std::filesystem::path bpf_data(const std::string &name) { return polc::test::source_dir() / "tests/data/bpf" / name; }

CompileInput input_from_file(const std::string &name) {
  CompileInput input;
  input.file_name = name;
  input.source = polc::test::read_file(bpf_data(name));
  REQUIRE_FALSE(input.source.empty());
  return input;
}

template <typename T>
T read_le(const std::vector<uint8_t> &b, size_t at) {
  T v{};
  REQUIRE(at + sizeof(T) <= b.size());
  std::memcpy(&v, b.data() + at, sizeof(T));  // the test host is little-endian, like bpfel
  return v;
}

// Section names of a 64-bit little-endian ELF.
std::vector<std::string> section_names(const std::vector<uint8_t> &elf) {
  const auto shoff = read_le<uint64_t>(elf, 0x28);
  const auto shentsize = read_le<uint16_t>(elf, 0x3a);
  const auto shnum = read_le<uint16_t>(elf, 0x3c);
  const auto shstrndx = read_le<uint16_t>(elf, 0x3e);
  const size_t strtab_offset = read_le<uint64_t>(elf, shoff + shstrndx * shentsize + 0x18);
  std::vector<std::string> names;
  for (size_t i = 0; i < shnum; ++i) {
    const auto name_offset = read_le<uint32_t>(elf, shoff + i * shentsize);
    names.emplace_back(reinterpret_cast<const char *>(elf.data() + strtab_offset + name_offset));
  }
  return names;
}

bool contains_bytes(const std::vector<uint8_t> &haystack, const std::string &needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

TEST_SUITE("codegen") {
  TEST_CASE("a BPF C file compiles to a bpfel ELF object with BTF") {
    auto elf = polc::codegen::compile_bpf_c(input_from_file("drop_port.bpf.c"));
    REQUIRE_MESSAGE(elf.ok(), elf.error().message);
    const auto &bytes = elf.value();
    REQUIRE(bytes.size() > 64);
    CHECK(std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0);
    CHECK(bytes[4] == 2);  // ELFCLASS64
    CHECK(bytes[5] == 1);  // ELFDATA2LSB: bpfel
    CHECK(read_le<uint16_t>(bytes, 0x10) == 1);    // ET_REL
    CHECK(read_le<uint16_t>(bytes, 0x12) == 247);  // EM_BPF

    auto names = section_names(bytes);
    auto has = [&](const std::string &n) { return std::find(names.begin(), names.end(), n) != names.end(); };
    CHECK(has("tc"));
    CHECK(has(".maps"));
    CHECK(has("license"));
    CHECK(has(".BTF"));
    CHECK(has(".BTF.ext"));  // line info: what lets the verifier log name C lines
  }

  TEST_CASE("two compiles of the same input give the same bytes, free of machine paths") {
    auto first = polc::codegen::compile_bpf_c(input_from_file("drop_port.bpf.c"));
    auto second = polc::codegen::compile_bpf_c(input_from_file("drop_port.bpf.c"));
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(first.value() == second.value());

    const auto &bytes = first.value();
    CHECK(contains_bytes(bytes, "drop_port.bpf.c"));  // the file name in line info
    CHECK(contains_bytes(bytes, "/polc"));            // the virtual compilation dir
    CHECK_FALSE(contains_bytes(bytes, polc::test::source_dir().string()));
    CHECK_FALSE(contains_bytes(bytes, "/usr/include"));
    CHECK_FALSE(contains_bytes(bytes, "/usr/lib/llvm"));
    CHECK_FALSE(contains_bytes(bytes, "clang version"));  // no .comment ident
  }

  TEST_CASE("other compiles in between do not change the bytes") {
    // LLVM 16 orders BTF forward declarations by heap address; polc sorts
    // them (btf_canonical.h), so the heap's history must not show.
    auto first = polc::codegen::compile_bpf_c(input_from_file("drop_port.bpf.c"));
    std::vector<std::vector<uint8_t>> churn;
    for (int i = 0; i < 3; ++i) churn.push_back(polc::codegen::compile_bpf_c(input_from_file("rejected.bpf.c")).value());
    auto again = polc::codegen::compile_bpf_c(input_from_file("drop_port.bpf.c"));
    REQUIRE(first.ok());
    REQUIRE(again.ok());
    CHECK(first.value() == again.value());
  }

  TEST_CASE("defines change the object") {
    auto input = input_from_file("drop_port.bpf.c");
    auto plain = polc::codegen::compile_bpf_c(input);
    input.defines = {"DEFAULT_BLOCKED_PORT=5353"};
    auto other = polc::codegen::compile_bpf_c(input);
    REQUIRE(plain.ok());
    REQUIRE(other.ok());
    CHECK(plain.value() != other.value());
  }

  TEST_CASE("debug_info=false leaves out BTF") {
    auto input = input_from_file("drop_port.bpf.c");
    input.debug_info = false;
    auto elf = polc::codegen::compile_bpf_c(input);
    REQUIRE_MESSAGE(elf.ok(), elf.error().message);
    auto names = section_names(elf.value());
    CHECK(std::find(names.begin(), names.end(), ".BTF.ext") == names.end());
  }

  TEST_CASE("caller headers, embedded templates, system headers and defines are all found in memory") {
    auto input = input_from_file("uses_headers.bpf.c");
    input.headers = {{"test_config.h", polc::test::read_file(bpf_data("test_config.h"))}};
    input.defines = {"FROM_THE_COMMAND_LINE=7"};
    auto elf = polc::codegen::compile_bpf_c(input);
    CHECK_MESSAGE(elf.ok(), (elf.ok() ? "" : elf.error().message));

    input.headers.clear();  // without it, the include fails
    auto missing = polc::codegen::compile_bpf_c(input);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find("'test_config.h' file not found") != std::string::npos);
  }

  TEST_CASE("a header on the disk but not embedded is not found") {
    auto elf = polc::codegen::compile_bpf_c(input_from_file("includes_libc.bpf.c"));
    REQUIRE_FALSE(elf.ok());
    CHECK(elf.error().message.find("'stdio.h' file not found") != std::string::npos);
  }

  TEST_CASE("a compile error is an internal error quoting the generated line") {
    auto elf = polc::codegen::compile_bpf_c(input_from_file("broken.bpf.c"));
    REQUIRE_FALSE(elf.ok());
    const std::string &message = elf.error().message;
    CHECK(elf.error().exit_code == 4);
    CHECK(message.rfind("generated C failed to compile:\n", 0) == 0);
    CHECK(message.find("broken.bpf.c:9:") != std::string::npos);
    CHECK(message.find("return undeclared_helper_for_the_test(skb);") != std::string::npos);  // the line text
    CHECK(message.find('^') != std::string::npos);                                               // and a caret
  }

  TEST_CASE("the embedded headers hold the templates and the system headers they need") {
    const auto &headers = polc::codegen::embedded_headers();
    CHECK(std::is_sorted(headers.begin(), headers.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; }));
    for (const char *name : {"linux/bpf.h", "linux/types.h", "linux/pkt_cls.h", "linux/if_ether.h", "asm/types.h",
                             "bpf/bpf_helpers.h", "bpf/bpf_helper_defs.h", "bpf/bpf_endian.h", "stdint.h",
                             "stddef.h", "stdbool.h", "maps_abi.h"}) {
      CAPTURE(name);
      CHECK_FALSE(polc::codegen::embedded_header(name).empty());
    }
    // clang's freestanding stdint.h, not glibc's.
    CHECK(polc::codegen::embedded_header("stdint.h").find("__CLANG_STDINT_H") != std::string_view::npos);
    // The template is embedded byte for byte.
    CHECK(polc::codegen::embedded_header("maps_abi.h") ==
          polc::test::read_file(polc::test::source_dir() / "templates/maps_abi.h"));
    CHECK(polc::codegen::embedded_header("no/such.h").empty());
  }

  TEST_CASE("the compiler is told to use no include directory of the disk") {
    CompileInput input;
    input.file_name = "x.bpf.c";
    input.defines = {"A=1"};
    auto args = polc::codegen::cc1_arguments(input);
    auto has = [&](const std::string &a) { return std::find(args.begin(), args.end(), a) != args.end(); };
    CHECK(has("-nostdsysteminc"));
    CHECK(has("-nobuiltininc"));
    CHECK(has("-ffreestanding"));
    CHECK(has("bpfel-unknown-none"));
    CHECK(has("-fdebug-compilation-dir=/polc"));
    CHECK(has("-DA=1"));
    CHECK(args.back() == "x.bpf.c");
    CHECK(std::none_of(args.begin(), args.end(), [](const std::string &a) { return a.find("/usr") != std::string::npos; }));
  }
}
