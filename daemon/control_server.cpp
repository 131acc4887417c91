#include "daemon/control_server.hpp"

#include <httplib.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "daemon/control_api.hpp"
#include "daemon/http_listener.hpp"

namespace pf::daemon {
namespace {

using nlohmann::json;

constexpr const char* kUuid =
    "([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})";

void send(httplib::Response& res, const ApiResponse& answer) {
    res.status = answer.status;
    if (!answer.content_type.empty()) {
        res.set_content(answer.text, answer.content_type.c_str());
    } else {
        res.set_content(answer.body.dump() + "\n", "application/json");
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
std::optional<std::string> reason_of(const httplib::Request& req, httplib::Response& res) {
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
    } catch (const json::parse_error& e) {
        send(res, ControlApi::error(400, std::string("malformed JSON: ") + e.what()));
        return std::nullopt;
    }
}

using Change = ApiResponse (ControlApi::*)(const std::string& organisation_id,
                                           const std::string& id, const std::string& reason);

// POST /v1/organisations/{org}/{what}/{id}/pause and .../resume, with an
// optional reason in the body.
void pause_resume_route(httplib::Server& server, ControlApi& api, const std::string& what,
                        Change pause, Change resume) {
    server.Post(
        std::string("/v1/organisations/") + kUuid + "/" + what + "/" + kUuid + "/(pause|resume)",
        [&api, pause, resume](const httplib::Request& req, httplib::Response& res) {
            const auto reason = reason_of(req, res);
            if (!reason) return;
            const auto change = req.matches[3] == "pause" ? pause : resume;
            send(res, (api.*change)(req.matches[1], req.matches[2], *reason));
        });
}

}  // namespace

struct ControlServer::Impl {
    Impl(ControlServerOptions o, ControlApi& a) : options(std::move(o)), api(a) {}
    ControlServerOptions options;
    ControlApi& api;
    httplib::Server server;
};

ControlServer::ControlServer(ControlServerOptions options, ControlApi& control_api)
    : impl_(std::make_unique<Impl>(std::move(options), control_api)) {
    auto& server = impl_->server;
    auto& opts = impl_->options;
    configure_http_server(server, "control", opts.max_body_bytes, opts.timeout_seconds);
    server.set_keep_alive_timeout(opts.timeout_seconds);

    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        // Runs before httplib reads a body. A POST without Content-Length
        // would have it read "to the end of the connection", which a client
        // like `curl -X POST` never closes: answer at once instead.
        if (req.method == "POST" && !req.has_header("Content-Length") &&
            !req.has_header("Transfer-Encoding")) {
            res.set_header("Connection", "close");
            send(res, ControlApi::error(411,
                                        "POST needs a Content-Length header (an empty body "
                                        "is fine: curl -d '')"));
            return httplib::Server::HandlerResponse::Handled;
        }
        if (req.path == "/healthz") return httplib::Server::HandlerResponse::Unhandled;
        const auto& token = impl_->options.token;
        const auto header = req.get_header_value("Authorization");
        const std::string scheme = "Bearer ";
        if (!token.empty() && header.rfind(scheme, 0) == 0 &&
            token_matches(header.substr(scheme.size()), token)) {
            return httplib::Server::HandlerResponse::Unhandled;
        }
        res.set_header("WWW-Authenticate", "Bearer realm=\"prospectflowd\"");
        send(res, ControlApi::error(401, token.empty()
                                             ? "no control token is configured on this daemon "
                                               "(control.token_file or PROSPECTFLOW_CONTROL_TOKEN)"
                                             : "missing or wrong bearer token"));
        return httplib::Server::HandlerResponse::Handled;
    });
    // Errors httplib produces itself (no route, body too large, bad request)
    // get a JSON body too; answers that already have one keep it.
    server.set_error_handler(httplib::Server::HandlerWithResponse(
        [](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            std::string message;
            switch (res.status) {
                case 404:
                    message = "no such endpoint: " + req.method + " " + req.path;
                    break;
                case 413:
                    message = "request body too large";
                    break;
                case 400:
                    message = "bad request";
                    break;
                default:
                    message = "HTTP " + std::to_string(res.status);
            }
            res.set_content(json{{"error", message}}.dump() + "\n", "application/json");
            return httplib::Server::HandlerResponse::Handled;
        }));
    auto& api = impl_->api;
    server.Get("/healthz", [&api](const httplib::Request&, httplib::Response& res) {
        send(res, api.health());
    });
    server.Get("/readyz",
               [&api](const httplib::Request&, httplib::Response& res) { send(res, api.ready()); });
    server.Get("/metrics", [&api](const httplib::Request&, httplib::Response& res) {
        send(res, api.metrics());
    });
    server.Get("/v1/status", [&api](const httplib::Request&, httplib::Response& res) {
        send(res, api.status());
    });
    server.Get(std::string("/v1/organisations/") + kUuid + "/campaigns",
               [&api](const httplib::Request& req, httplib::Response& res) {
                   send(res, api.campaigns(req.matches[1]));
               });
    pause_resume_route(server, api, "campaigns", &ControlApi::pause, &ControlApi::resume);
    server.Get(std::string("/v1/organisations/") + kUuid + "/mailboxes",
               [&api](const httplib::Request& req, httplib::Response& res) {
                   send(res, api.mailboxes(req.matches[1]));
               });
    pause_resume_route(server, api, "mailboxes", &ControlApi::pause_mailbox,
                       &ControlApi::resume_mailbox);
    server.Post(std::string("/v1/organisations/") + kUuid + "/tasks/" + kUuid + "/retry",
                [&api](const httplib::Request& req, httplib::Response& res) {
                    if (!reason_of(req, res)) return;
                    send(res, api.retry_task(req.matches[1], req.matches[2]));
                });
    server.Post("/v1/drain", [&api](const httplib::Request& req, httplib::Response& res) {
        if (!reason_of(req, res)) return;
        send(res, api.drain());
    });
    server.Post("/v1/undrain", [&api](const httplib::Request& req, httplib::Response& res) {
        if (!reason_of(req, res)) return;
        send(res, api.undrain());
    });
}

ControlServer::~ControlServer() {
    stop();
}

int ControlServer::start() {
    auto& opts = impl_->options;
    const int port = bind_http_server(impl_->server, opts.host, opts.port, "control.listen");
    thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
    return port;
}

void ControlServer::stop() {
    if (thread_.joinable()) {
        impl_->server.stop();
        thread_.join();
    }
}

}  // namespace pf::daemon
