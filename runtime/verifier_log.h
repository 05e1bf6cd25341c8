// Reading the kernel verifier's log. When the object carries BTF line info,
// the verifier prints the C source line before the instructions made from
// it ("; if (data + 14 > data_end) @ polc.bpf.c:42"), so a rejection can be
// reported against lines of the generated C rather than raw instructions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace polc::runtime {

struct VerifierSourceLine {
  std::string file;   // as recorded in the BTF line info, e.g. "polc.bpf.c"
  unsigned line = 0;  // 1-based
  std::string text;   // the source line, leading blanks trimmed
};

// Every source line the log mentions, in log order (repeats kept: the
// verifier walks a line once per path).
std::vector<VerifierSourceLine> verifier_source_lines(std::string_view log);

// The source line the verifier was at when it stopped: the last one it
// printed. Empty when the log has no line info.
std::optional<VerifierSourceLine> rejected_source_line(std::string_view log);

// The last `count` meaningful lines of the log, joined with '\n': blank
// lines and the closing statistics ("processed N insns ...",
// "verification time ...", "stack depth ...") are skipped, since the
// reason for a rejection comes just before them.
std::string verifier_log_tail(std::string_view log, size_t count);

// N from "processed N insns", when the log has it (log level includes
// BPF_LOG_STATS).
std::optional<size_t> processed_insns(std::string_view log);

}  // namespace polc::runtime
