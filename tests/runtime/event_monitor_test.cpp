// The request head an event carries, read back into method, path and host
// (runtime/event_monitor.h).
#include <doctest/doctest.h>

#include "runtime/event_monitor.h"

using namespace polc::runtime;

TEST_SUITE("runtime") {
  TEST_CASE("monitor events: method, path and Host from a request head's first bytes") {
    HttpHead h = parse_http_head("GET /a/b?c=1 HTTP/1.1\r\nUser-Agent: x\r\nhOsT:  shop.example \r\n\r\nbody");
    CHECK(h.method == "GET");
    CHECK(h.path == "/a/b?c=1");
    CHECK(h.host == "shop.example");
    // Cut short by the event's window: what is there.
    h = parse_http_head("POST /very/long/pa");
    CHECK(h.method == "POST");
    CHECK(h.path == "/very/long/pa");
    CHECK(h.host.empty());
    // A Host after the head's end is the body's, not the request's.
    h = parse_http_head("GET / HTTP/1.1\r\n\r\nHost: no\r\n");
    CHECK(h.host.empty());
    CHECK(parse_http_head("").method.empty());
  }
}
