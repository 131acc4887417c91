#include "daemon/control_server.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <stdexcept>

#include "daemon/control_api.hpp"

namespace pf::daemon {
namespace {

using nlohmann::json;

constexpr const char* kUuid =
    "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";

void send(HttpResponse& res, const ApiResponse& answer) {
    res.status = answer.status;
    if (!answer.content_type.empty()) {
        res.body = answer.text;
        res.content_type = answer.content_type;
    } else {
        res.body = answer.body.dump() + "\n";
        res.content_type = "application/json";
    }
}

// Same time whatever matches: a token must not leak byte by byte.
bool token_matches(const std::string& presented, const std::string& expected) {
    if (presented.size() != expected.size()) {
        (void)CRYPTO_memcmp(expected.data(), expected.data(), expected.size());
        return false;
    }
    return CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) == 0;
}

// An optional JSON object body; its "reason" is logged with the change.
std::optional<std::string> reason_of(const HttpRequest& req, HttpResponse& res) {
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return std::string();
    try {
        const auto body = json::parse(req.body);
        if (!body.is_object()) {
            send(res, ControlApi::error(400, "request body must be a JSON object"));
            return std::nullopt;
        }
        if (body.contains("reason") && !body["reason"].is_string()) {
            send(res, ControlApi::error(400, "\"reason\" must be a string"));
            return std::nullopt;
        }
        return body.value("reason", "");
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number no double holds (1e999).
        send(res, ControlApi::error(400, std::string("malformed JSON: ") + e.what()));
        return std::nullopt;
    }
}

// A route: method, a full-match pattern on the path, and what answers it
// given the pattern's groups.
struct Route {
    std::string method;
    std::regex path;
    std::function<void(const HttpRequest&, const std::smatch&, HttpResponse&)> answer;
};

using Change = ApiResponse (ControlApi::*)(const std::string& organisation_id,
                                           const std::string& id, const std::string& reason);

// POST /v1/organisations/{org}/{what}/{id}/pause and .../resume, with an
// optional reason in the body.
Route pause_resume_route(ControlApi& api, const std::string& what, Change pause, Change resume) {
    return {"POST",
            std::regex(std::string("/v1/organisations/") + kUuid + "/" + what + "/" + kUuid +
                       "/(pause|resume)"),
            [&api, pause, resume](const HttpRequest& req, const std::smatch& m, HttpResponse& res) {
                const auto reason = reason_of(req, res);
                if (!reason) return;
                const auto change = m[3] == "pause" ? pause : resume;
                send(res, (api.*change)(m[1], m[2], *reason));
            }};
}

// A plain answer that needs neither the body nor the path's groups.
Route simple_route(std::string method, const std::string& path, std::function<ApiResponse()> f) {
    return {std::move(method), std::regex(path),
            [f = std::move(f)](const HttpRequest&, const std::smatch&, HttpResponse& res) {
                send(res, f());
            }};
}

std::vector<Route> control_routes(ControlApi& api) {
    const std::string org = std::string("/v1/organisations/") + kUuid;
    std::vector<Route> routes;
    routes.push_back(simple_route("GET", "/healthz", [&api] { return api.health(); }));
    routes.push_back(simple_route("GET", "/readyz", [&api] { return api.ready(); }));
    routes.push_back(simple_route("GET", "/metrics", [&api] { return api.metrics(); }));
    routes.push_back(simple_route("GET", "/v1/status", [&api] { return api.status(); }));
    routes.push_back({"GET", std::regex(org + "/campaigns"),
                      [&api](const HttpRequest&, const std::smatch& m, HttpResponse& res) {
                          send(res, api.campaigns(m[1]));
                      }});
    routes.push_back(pause_resume_route(api, "campaigns", &ControlApi::pause, &ControlApi::resume));
    routes.push_back({"GET", std::regex(org + "/mailboxes"),
                      [&api](const HttpRequest&, const std::smatch& m, HttpResponse& res) {
                          send(res, api.mailboxes(m[1]));
                      }});
    routes.push_back(pause_resume_route(api, "mailboxes", &ControlApi::pause_mailbox,
                                        &ControlApi::resume_mailbox));
    routes.push_back({"POST", std::regex(org + "/tasks/" + kUuid + "/retry"),
                      [&api](const HttpRequest& req, const std::smatch& m, HttpResponse& res) {
                          if (!reason_of(req, res)) return;
                          send(res, api.retry_task(m[1], m[2]));
                      }});
    routes.push_back({"POST", std::regex("/v1/drain"),
                      [&api](const HttpRequest& req, const std::smatch&, HttpResponse& res) {
                          if (!reason_of(req, res)) return;
                          send(res, api.drain());
                      }});
    routes.push_back({"POST", std::regex("/v1/undrain"),
                      [&api](const HttpRequest& req, const std::smatch&, HttpResponse& res) {
                          if (!reason_of(req, res)) return;
                          send(res, api.undrain());
                      }});
    return routes;
}

}  // namespace

struct ControlServer::Impl {
    Impl(ControlServerOptions o, ControlApi& api)
        : options(std::move(o)), routes(control_routes(api)) {}
    ControlServerOptions options;
    std::vector<Route> routes;
    std::unique_ptr<HttpListener> listener;

    void handle(const HttpRequest& req, HttpResponse& res) const {
        // Without Content-Length or chunking a POST has no body (RFC 9112
        // 6.3); say so at once, with the hint, as clients like `curl -X
        // POST` send exactly that.
        if (req.method == "POST" && !req.has_header("Content-Length") &&
            !req.has_header("Transfer-Encoding")) {
            res.set_header("Connection", "close");
            return send(res, ControlApi::error(411,
                                               "POST needs a Content-Length header (an empty "
                                               "body is fine: curl -d '')"));
        }
        if (req.path != "/healthz" && !authorized(req)) return refuse(res);
        for (const auto& route : routes) {
            std::smatch m;
            if (route.method == req.method && std::regex_match(req.path, m, route.path))
                return route.answer(req, m, res);
        }
        send(res, ControlApi::error(404, "no such endpoint: " + req.method + " " + req.path));
    }

    bool authorized(const HttpRequest& req) const {
        const auto& token = options.token;
        const auto header = req.header("Authorization");
        const std::string scheme = "Bearer ";
        return !token.empty() && header.rfind(scheme, 0) == 0 &&
               token_matches(header.substr(scheme.size()), token);
    }

    void refuse(HttpResponse& res) const {
        res.set_header("WWW-Authenticate", "Bearer realm=\"prospectflowd\"");
        send(res, ControlApi::error(401, options.token.empty()
                                             ? "no control token is configured on this daemon "
                                               "(control.token_file or PROSPECTFLOW_CONTROL_TOKEN)"
                                             : "missing or wrong bearer token"));
    }
};

ControlServer::ControlServer(ControlServerOptions options, ControlApi& control_api)
    : impl_(std::make_unique<Impl>(std::move(options), control_api)) {
    auto listener_options = impl_->options.listener;
    listener_options.what = "control";
    listener_options.config_key = "control.listen";
    // /healthz answers on the I/O threads, so it stays fast while handlers
    // wait (a pause waits up to control.pause_wait_seconds) on the workers.
    listener_options.runs_inline = [](const HttpRequest& req) { return req.path == "/healthz"; };
    impl_->listener = std::make_unique<HttpListener>(
        std::move(listener_options),
        [impl = impl_.get()](const HttpRequest& req, HttpResponse& res) {
            impl->handle(req, res);
        });
}

ControlServer::~ControlServer() {
    stop();
}

int ControlServer::start() {
    return impl_->listener->start();
}

void ControlServer::stop() {
    impl_->listener->stop();
}

}  // namespace pf::daemon
