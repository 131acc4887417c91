#pragma once
// The control HTTP port (on HttpListener): routes to ControlApi, bearer-token
// auth on everything but /healthz (constant-time comparison), JSON errors,
// request-size limits and deadlines. Runs on its own threads.

#include <memory>
#include <string>

#include "daemon/http_listener.hpp"

namespace pf::daemon {

class ControlApi;

struct ControlServerOptions {
    HttpListenerOptions listener;  // host, port, threads, limits (what, config_key: set here)
    std::string token;             // empty: every endpoint but /healthz answers 401
};

class ControlServer {
  public:
    ControlServer(ControlServerOptions options, ControlApi& api);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Binds (throws std::runtime_error naming the address when it cannot)
    // and starts serving; returns the bound port.
    int start();
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pf::daemon
