// From a datapath shape to the eBPF C of one hook: the program file of
// templates/ plus a config.h filled from the shape (templates/config.h.in).
// The templates are read from the headers embedded in polc, never from
// disk; the same shape and hook always give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "frontend/result.h"
#include "ir/map_plan.h"

namespace polc::codegen {

// One object per hook: tc holds polc_ingress and polc_egress, XDP holds
// polc_xdp_ingress (XDP sees no egress traffic).
enum class Hook { Tc, Xdp };

// Everything that differs between hooks on the C++ side, in one place.
struct HookTraits {
  std::string_view name;                      // "tc", "xdp"
  std::string_view main_template;             // the program file in templates/
  std::vector<std::string_view> programs;     // function names in the object
};
const HookTraits &hook_traits(Hook hook);

// Map capacities written into config.h.
struct MapSizes {
  // The hashes (host ipcache, policy) have their buckets allocated when
  // created, 16 bytes each, in every generation: sized for large clusters,
  // not for the worst case.
  uint32_t ipcache = 65536;    // per family, for the host hash and the CIDR trie
  uint32_t policy = 1u << 18;  // per policy map (allow, deny)
  uint32_t frag = 8192;        // fragments in flight
  // HTTP (only compiled in with rules.http): the slot-0 table holds exactly
  // the policy's DFAs (ir::HttpPlan::table; later generations bring their
  // own size), the verdict hash ir::HttpPlan::verdict_capacity entries.
  uint32_t http_table = 65536;
  uint32_t http_verdict = 65536;
};

struct GeneratedProgram {
  std::string main_file;  // e.g. "prog_tc.c": the name to compile it under
  std::string source;
  // Generated headers, (include path, contents): "config.h". The other
  // templates are embedded in polc and always available to the compiler.
  std::vector<std::pair<std::string, std::string>> headers;
};

// The values of config.h.in's placeholders for a shape.
std::vector<std::pair<std::string, std::string>> config_values(const ir::DatapathShape &shape,
                                                               const MapSizes &sizes = {});

// Fails only on a polc bug (a template missing from the embedded headers,
// a placeholder out of step with config_values).
Result<GeneratedProgram> try_generate_datapath(const ir::DatapathShape &shape, Hook hook,
                                               const MapSizes &sizes = {});

// As above; a failure yields a source holding an #error with the message,
// so it surfaces as an internal error when the program is compiled.
GeneratedProgram generate_datapath(const ir::DatapathShape &shape, Hook hook);

}  // namespace polc::codegen
