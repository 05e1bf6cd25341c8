#include "runtime/verifier_log.h"

#include <charconv>
#include <deque>

namespace polc::runtime {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// "; <text> @ <file>:<line>" as printed by the kernel's verbose_linfo().
std::optional<VerifierSourceLine> parse_source_line(std::string_view line) {
  if (!starts_with(line, "; ")) return std::nullopt;
  line.remove_prefix(2);
  size_t at = line.rfind(" @ ");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view location = line.substr(at + 3);
  size_t colon = location.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  unsigned number = 0;
  std::string_view digits = trim(location.substr(colon + 1));
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return VerifierSourceLine{std::string(location.substr(0, colon)), number, std::string(trim(line.substr(0, at)))};
}

bool is_statistics(std::string_view line) {
  return starts_with(line, "processed ") || starts_with(line, "verification time ") ||
         starts_with(line, "stack depth ");
}

}  // namespace

std::vector<VerifierSourceLine> verifier_source_lines(std::string_view log) {
  std::vector<VerifierSourceLine> found;
  for (std::string_view line : split_lines(log)) {
    if (auto parsed = parse_source_line(line)) found.push_back(std::move(*parsed));
  }
  return found;
}

std::optional<VerifierSourceLine> rejected_source_line(std::string_view log) {
  auto lines = split_lines(log);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (auto parsed = parse_source_line(*it)) return parsed;
  }
  return std::nullopt;
}

std::string verifier_log_tail(std::string_view log, size_t count) {
  std::deque<std::string_view> kept;
  for (std::string_view line : split_lines(log)) {
    line = trim(line);
    if (line.empty() || is_statistics(line)) continue;
    kept.push_back(line);
    if (kept.size() > count) kept.pop_front();
  }
  std::string out;
  for (std::string_view line : kept) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

std::optional<size_t> processed_insns(std::string_view log) {
  constexpr std::string_view marker = "processed ";
  for (std::string_view line : split_lines(log)) {
    if (!starts_with(line, marker)) continue;
    line.remove_prefix(marker.size());
    size_t count = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), count);
    if (ec == std::errc() && std::string_view(end, line.data() + line.size()).substr(0, 6) == " insns") return count;
  }
  return std::nullopt;
}

}  // namespace polc::runtime
