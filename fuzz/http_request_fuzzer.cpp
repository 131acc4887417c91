// libFuzzer entry: arbitrary bytes through the listener's parser, limits and
// error answers (serve_bytes), with a handler that routes like the tracking
// listener but answers from memory (no database): the route it took.
// Built by the fuzz infrastructure (not by the default build).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/http_listener.hpp"

namespace {

using pf::daemon::HttpRequest;
using pf::daemon::HttpResponse;

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

void stub_tracking_route(const HttpRequest& req, HttpResponse& res) {
    std::string route = "none";
    if (req.path == "/healthz")
        route = "healthz";
    else if (starts_with(req.path, "/o/"))
        route = "open";
    else if (starts_with(req.path, "/u/"))
        route = "unsubscribe";
    else if (starts_with(req.path, "/webhooks/"))
        route = "webhook";
    // Touch what real handlers read, so the parser's output is exercised.
    const auto signature = req.header("X-ProspectFlow-Signature");
    res.set_header("Cache-Control", "no-store");
    res.set_json(route == "none" ? 404 : 200,
                 "{\"route\":\"" + route + "\",\"body\":" + std::to_string(req.body.size()) +
                     ",\"signed\":" + (signature.empty() ? "false" : "true") + "}\n");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pf::daemon::HttpLimits limits;
    limits.max_header_bytes = 8192;
    limits.max_body_bytes = 65536;
    const auto answer = pf::daemon::serve_bytes(
        std::string_view(reinterpret_cast<const char*>(data), size), limits, stub_tracking_route);
    // Every input gets an answer: a status line at least.
    if (answer.rfind("HTTP/1.", 0) != 0) __builtin_trap();
    return 0;
}
