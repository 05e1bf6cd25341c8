// What a request is judged on, as the datapath reads it (templates/
// http_target.h, http_parse.h) and a server acts on it: the method token,
// the request-target's path normalized (RFC 3986 §6: unreserved escapes
// decoded, dot segments removed, slashes merged), the host from an
// absolute-form target or the Host header, header values without their
// surrounding whitespace; or the refusal of a request that cannot be
// judged safely. Written from docs/http.md ("What the kernel sees"), on
// whole strings, so that the reference evaluator checks the kernel's byte
// machine instead of sharing its code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/evaluator.h"

namespace polc::ir {

enum class HttpRefusal {
  None,
  Malformed,      // POLC_DROP_HTTP_MALFORMED: not a request an RFC 9112 parser takes
  Unsupported,    // POLC_DROP_HTTP_UNSUPPORTED: Transfer-Encoding
  PathNotNormal,  // POLC_DROP_HTTP_PATH (http-path-not-normal)
};

std::string_view http_refusal_name(HttpRefusal r);

// The request as judged. `path` is absent for the asterisk and authority
// forms (only rules that name no path allow them).
struct JudgedRequest {
  HttpRefusal refusal = HttpRefusal::None;
  std::string why;  // for a refusal: what was wrong
  std::string method;
  std::optional<std::string> path;  // normalized path, then "?" and the query as sent
  std::optional<std::string> host;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case, values trimmed
};

// The segments of a path that polc remembers for "..": the root and the
// last kSegmentMemory - 1 segments (templates/http_conn.h, POLC_HTTP_SEGS).
inline constexpr int kSegmentMemory = 8;

// Normalizes an origin-form path with its query ("/a/./b?x"): the path as
// the kernel walks it into the path DFA, or a refusal.
struct NormalizedPath {
  HttpRefusal refusal = HttpRefusal::None;
  std::string why;
  std::string path;
};
NormalizedPath normalize_http_path(std::string_view target);

// The whole request, as runtime::render_request_head puts it on the wire.
JudgedRequest judge_http_request(const HttpRequest &request);

}  // namespace polc::ir
