#pragma once
// The control HTTP port (cpp-httplib): routes to ControlApi, bearer-token
// auth on everything but /healthz (constant-time comparison), JSON errors,
// request-size limit and timeouts. Runs on its own threads.

#include <memory>
#include <string>
#include <thread>

namespace pf::daemon {

class ControlApi;

struct ControlServerOptions {
    std::string host;
    int port = 0;       // 0: any free port
    std::string token;  // empty: every endpoint but /healthz answers 401
    std::size_t max_body_bytes = 65536;
    int timeout_seconds = 10;
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
    std::thread thread_;
};

}  // namespace pf::daemon
