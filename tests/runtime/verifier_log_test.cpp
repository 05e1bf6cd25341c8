// Reading verifier logs: the source lines they name, the tail that explains
// a rejection, the instruction count.
#include <doctest/doctest.h>

#include "runtime/verifier_log.h"

namespace {

// The shape of a real kernel 6.x log for a rejected program with line info.
constexpr const char *kRejectedLog =
    "func#0 @0\n"
    "0: R1=ctx(off=0,imm=0) R10=fp0\n"
    "; void *data = (void *)(long)skb->data; @ polc.bpf.c:10\n"
    "0: (61) r1 = *(u32 *)(r1 +76)         ; R1_w=pkt(off=0,r=0,imm=0)\n"
    ";   __u32 first_word = *(__u32 *)data; @ polc.bpf.c:11\n"
    "1: (61) r1 = *(u32 *)(r1 +0)\n"
    "invalid access to packet, off=0 size=4, R1(id=0,off=0,r=0)\n"
    "R1 offset is outside of the packet\n"
    "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n"
    "\n";

}  // namespace

TEST_SUITE("runtime") {
  TEST_CASE("source lines are read from the verifier log in order") {
    auto lines = polc::runtime::verifier_source_lines(kRejectedLog);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].file == "polc.bpf.c");
    CHECK(lines[0].line == 10);
    CHECK(lines[0].text == "void *data = (void *)(long)skb->data;");
    CHECK(lines[1].line == 11);
    CHECK(lines[1].text == "__u32 first_word = *(__u32 *)data;");
  }

  TEST_CASE("the rejected line is the last one the verifier printed") {
    auto at = polc::runtime::rejected_source_line(kRejectedLog);
    REQUIRE(at.has_value());
    CHECK(at->line == 11);
    CHECK_FALSE(polc::runtime::rejected_source_line("processed 3 insns\n").has_value());
    // An "@" inside the C text does not confuse the parser.
    auto tricky = polc::runtime::rejected_source_line("; x = a @ b; @ f.c:7\n");
    REQUIRE(tricky.has_value());
    CHECK(tricky->text == "x = a @ b;");
    CHECK(tricky->line == 7);
  }

  TEST_CASE("the tail skips statistics and blank lines") {
    CHECK(polc::runtime::verifier_log_tail(kRejectedLog, 2) ==
          "invalid access to packet, off=0 size=4, R1(id=0,off=0,r=0)\nR1 offset is outside of the packet");
    CHECK(polc::runtime::verifier_log_tail("", 5).empty());
    CHECK(polc::runtime::verifier_log_tail("a\nb\n", 10) == "a\nb");
  }

  TEST_CASE("processed insns is read from the statistics line") {
    CHECK(polc::runtime::processed_insns(kRejectedLog) == 2u);
    CHECK(polc::runtime::processed_insns("processed 12345 insns (limit 1000000)\n") == 12345u);
    CHECK_FALSE(polc::runtime::processed_insns("nothing here").has_value());
  }
}
