// A deliberately small substitution layer for the eBPF templates: `{{name}}`
// placeholders are replaced by values from a map, and nothing else. It
// refuses a placeholder without a value, a value no placeholder uses (a
// typo on either side), and a malformed placeholder, so a template and its
// generator cannot drift apart silently. C is never assembled by string
// concatenation in C++: the text around the placeholders is the template's.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "frontend/result.h"

namespace polc::codegen {

using TemplateValues = std::map<std::string, std::string, std::less<>>;

// `template_name` only names the template in error messages
// ("config.h.in:12: placeholder {{deny}} has no value").
Result<std::string> fill_template(std::string_view template_name, std::string_view text,
                                  const TemplateValues &values);

}  // namespace polc::codegen
