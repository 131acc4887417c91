#pragma once
// What the control port and the tracking listener set up alike on their
// cpp-httplib servers. Included only by their .cpp files (httplib.h is heavy).

#include <httplib.h>

#include <string>

namespace pf::daemon {

// No SO_REUSEPORT (httplib's default would let a second daemon share the
// port), TCP_NODELAY, body limit, read/write timeouts, and a JSON 500 for
// handler exceptions, logged under `what`.
void configure_http_server(httplib::Server& server, const std::string& what,
                           std::size_t max_body_bytes, int timeout_seconds);

// Binds host:port (0: any free port); throws std::runtime_error naming
// `config_key` when it cannot. Returns the bound port.
int bind_http_server(httplib::Server& server, const std::string& host, int port,
                     const std::string& config_key);

}  // namespace pf::daemon
