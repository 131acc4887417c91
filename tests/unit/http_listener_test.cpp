// serve_bytes: the listener's parser, limits and error answers without a
// socket (daemon/http_listener).
#include "daemon/http_listener.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <string_view>

using pf::daemon::HttpLimits;
using pf::daemon::HttpRequest;
using pf::daemon::HttpResponse;
using pf::daemon::serve_bytes;

namespace {

void echo(const HttpRequest& req, HttpResponse& res) {
    if (req.path == "/throw") throw std::runtime_error("boom");
    res.set_header("X-Seen-Host", req.header("host"));
    res.content_type = "text/plain";
    res.body = req.method + " " + req.target + " " + req.body;
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("serve_bytes: a request reaches the handler, headers case-insensitive") {
    const auto out = serve_bytes("POST /a?b=1 HTTP/1.1\r\nHOST: t\r\nContent-Length: 2\r\n\r\nhi",
                                 HttpLimits{}, echo);
    CHECK(starts_with(out, "HTTP/1.1 200 OK\r\n"));
    CHECK(out.find("X-Seen-Host: t\r\n") != std::string::npos);
    CHECK(out.find("Content-Type: text/plain\r\n") != std::string::npos);
    CHECK(out.substr(out.size() - 14) == "POST /a?b=1 hi");
}

TEST_CASE("serve_bytes: HEAD answers like GET without the body") {
    const auto out = serve_bytes("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n", HttpLimits{}, echo);
    CHECK(out.find("Content-Length: 7\r\n") != std::string::npos);
    CHECK(out.substr(out.size() - 4) == "\r\n\r\n");
}

TEST_CASE("serve_bytes: limits and garbage get the listener's own answers") {
    HttpLimits limits;
    limits.max_header_bytes = 1024;
    limits.max_body_bytes = 10;
    const std::string big_header = "GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n";
    CHECK(starts_with(serve_bytes(big_header, limits, echo), "HTTP/1.1 431 "));
    CHECK(starts_with(
        serve_bytes("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world", limits, echo),
        "HTTP/1.1 413 "));
    CHECK(starts_with(serve_bytes(std::string_view("\x00\x01 nonsense\r\n\r\n", 17), limits, echo),
                      "HTTP/1.1 400 "));
    CHECK(starts_with(serve_bytes("GET /o/abc", limits, echo), "HTTP/1.1 400 "));
    CHECK(starts_with(serve_bytes("", limits, echo), "HTTP/1.1 400 "));
}

TEST_CASE("serve_bytes: a handler's exception is a JSON 500") {
    const auto out = serve_bytes("GET /throw HTTP/1.1\r\n\r\n", HttpLimits{}, echo);
    CHECK(starts_with(out, "HTTP/1.1 500 "));
    CHECK(out.find("{\"error\":\"internal error: boom\"}") != std::string::npos);
}
