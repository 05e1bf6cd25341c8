#include "codegen/template_engine.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace polc::codegen {
namespace {

constexpr std::string_view kOpen = "{{";
constexpr std::string_view kClose = "}}";

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_name_char);
}

size_t line_of(std::string_view text, size_t offset) {
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

}  // namespace

Result<std::string> fill_template(std::string_view template_name, std::string_view text,
                                  const TemplateValues &values) {
  std::string out;
  out.reserve(text.size());
  std::set<std::string, std::less<>> used;

  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find(kOpen, pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    size_t close = text.find(kClose, open + kOpen.size());
    size_t newline = text.find('\n', open);
    if (close == std::string_view::npos || (newline != std::string_view::npos && newline < close)) {
      return internal_error(fmt::format("{}:{}: unclosed placeholder \"{{{{\"", template_name,
                                        line_of(text, open)));
    }
    std::string_view name = text.substr(open + kOpen.size(), close - open - kOpen.size());
    if (!is_valid_name(name)) {
      return internal_error(fmt::format("{}:{}: malformed placeholder \"{{{{{}}}}}\"", template_name,
                                        line_of(text, open), name));
    }
    auto value = values.find(name);
    if (value == values.end()) {
      return internal_error(fmt::format("{}:{}: placeholder {{{{{}}}}} has no value", template_name,
                                        line_of(text, open), name));
    }
    out.append(value->second);
    used.emplace(name);
    pos = close + kClose.size();
  }

  for (const auto &[name, value] : values) {
    if (!used.count(name)) {
      return internal_error(
          fmt::format("{}: value \"{}\" fills no placeholder of the template", template_name, name));
    }
  }
  return out;
}

}  // namespace polc::codegen
