// The bytes of an HTTP/1.1 request head, as a client would send them, for
// flows with `http` (CONTRACT §1.3) run through the datapath by `polc test`.
#pragma once

#include <string>

#include "ir/evaluator.h"

namespace polc::runtime {

// "METHOD PATH HTTP/1.1\r\n", a Host line when the request has a host and
// its headers carry none, every header as given, then the empty line.
// An empty method is GET, an empty path "/".
std::string render_request_head(const ir::HttpRequest &request);

}  // namespace polc::runtime
