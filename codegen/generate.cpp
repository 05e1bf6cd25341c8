#include "codegen/generate.h"

#include <fmt/format.h>

#include "codegen/embedded_headers.h"
#include "codegen/template_engine.h"

namespace polc::codegen {
namespace {

constexpr std::string_view kConfigTemplate = "config.h.in";
constexpr std::string_view kConfigHeader = "config.h";

std::string flag(bool on) { return on ? "1" : "0"; }

// An X-macro list of the lengths in `mask`, longest first: "X(24) X(8)".
std::string lengths_list(uint32_t mask) {
  std::string out;
  for (int bits = 24; bits >= 0; --bits)
    if (mask & (1u << bits)) out += fmt::format("{}X({})", out.empty() ? "" : " ", bits);
  return out;
}

Result<std::string> embedded_template(std::string_view name) {
  std::string_view text = embedded_header(name);
  if (text.empty()) return internal_error(fmt::format("template \"{}\" is not embedded in polc", name));
  return std::string(text);
}

}  // namespace

const HookTraits &hook_traits(Hook hook) {
  static const HookTraits tc{"tc", "prog_tc.c", {"polc_ingress", "polc_egress"}};
  static const HookTraits xdp{"xdp", "prog_xdp.c", {"polc_xdp_ingress"}};
  return hook == Hook::Xdp ? xdp : tc;
}

std::vector<std::pair<std::string, std::string>> config_values(const ir::DatapathShape &shape,
                                                               const MapSizes &sizes) {
  return {
      {"enforce_ingress", flag(shape.enforce_ingress)},
      {"enforce_egress", flag(shape.enforce_egress)},
      {"cidr", flag(shape.cidr)},
      {"deny_peer_lengths", lengths_list(shape.deny_lengths.peer)},
      {"deny_any_lengths", lengths_list(shape.deny_lengths.any_peer)},
      {"allow_peer_lengths", lengths_list(shape.allow_lengths.peer)},
      {"allow_any_lengths", lengths_list(shape.allow_lengths.any_peer)},
      {"l4_ports", flag(shape.l4_ports)},
      {"icmp_types", flag(shape.icmp_types)},
      {"audit", flag(shape.audit)},
      {"http", flag(shape.http)},
      {"ipcache_max", std::to_string(sizes.ipcache)},
      {"policy_max", std::to_string(sizes.policy)},
      {"frag_max", std::to_string(sizes.frag)},
      {"http_table_max", std::to_string(sizes.http_table)},
      {"http_verdict_max", std::to_string(sizes.http_verdict)},
  };
}

Result<GeneratedProgram> try_generate_datapath(const ir::DatapathShape &shape, Hook hook,
                                               const MapSizes &sizes) {
  const HookTraits &traits = hook_traits(hook);

  auto config_in = embedded_template(kConfigTemplate);
  if (!config_in) return config_in.error();
  auto values = config_values(shape, sizes);
  auto config = fill_template(kConfigTemplate, *config_in, TemplateValues(values.begin(), values.end()));
  if (!config) return config.error();

  auto main = embedded_template(traits.main_template);
  if (!main) return main.error();

  GeneratedProgram program;
  program.main_file = std::string(traits.main_template);
  program.source = std::move(*main);
  program.headers.emplace_back(std::string(kConfigHeader), std::move(*config));
  return program;
}

GeneratedProgram generate_datapath(const ir::DatapathShape &shape, Hook hook) {
  auto program = try_generate_datapath(shape, hook);
  if (program) return std::move(program).value();
  // Generated C that cannot be built is a polc bug: let the compiler report
  // it as an internal error rather than failing here without a Result.
  std::string message = program.error().message;
  for (char &c : message)
    if (c == '"' || c == '\n') c = '\'';
  GeneratedProgram broken;
  broken.main_file = std::string(hook_traits(hook).main_template);
  broken.source = fmt::format("#error \"polc could not generate the datapath: {}\"\n",
                              message);
  return broken;
}

}  // namespace polc::codegen
