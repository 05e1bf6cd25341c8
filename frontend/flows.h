// The flow file of `polc test` (CONTRACT §1.3): flows with the verdict they
// should get. Endpoint names are checked against the inventory when one is
// given.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/ast.h"
#include "frontend/inventory.h"

namespace polc {

// One side of a flow: an inventory endpoint by name, or a bare address.
struct FlowPeer {
  std::string endpoint;       // set for an endpoint name
  std::optional<IpAddr> ip;   // set for {"ip": ...}
  SourceLoc loc;
};

struct FlowHttp {
  std::string method = "GET";
  std::string path = "/";
  std::optional<std::string> host;
  std::vector<std::pair<std::string, std::string>> headers;  // in file order
  SourceLoc loc;
};

// Source port used when a flow gives none: the start of the dynamic range.
inline constexpr uint16_t kDefaultSourcePort = 49152;

struct Flow {
  std::string name;  // given, or "flow N" (1-based)
  FlowPeer from, to;
  ast::Proto proto = ast::Proto::TCP;  // TCP, UDP, SCTP, ICMP or ICMPv6
  uint16_t sport = kDefaultSourcePort;
  uint16_t dport = 0;
  uint8_t icmp_type = 8;  // ICMP: echo request by default (128 for ICMPv6)
  std::optional<FlowHttp> http;
  bool expect_allow = false;
  SourceLoc loc;
};

struct FlowFile {
  std::vector<Flow> flows;
};

// Reads a flow file. `inventory` (optional) is used to check endpoint names.
bool load_flow_file(const std::string &path, const Inventory *inventory, SourceManager &sources,
                    DiagnosticEngine &diags, FlowFile &out);
bool read_flows(const DocNode &root, const Inventory *inventory, DiagnosticEngine &diags, FlowFile &out);

}  // namespace polc
