#include "daemon/http_listener.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pf::daemon {

void configure_http_server(httplib::Server& server, const std::string& what,
                           std::size_t max_body_bytes, int timeout_seconds) {
    server.set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    // Headers and body go out in separate writes; without TCP_NODELAY the
    // second waits for the client's delayed ACK (~40 ms a request).
    server.set_tcp_nodelay(true);
    server.set_payload_max_length(max_body_bytes);
    server.set_read_timeout(timeout_seconds, 0);
    server.set_write_timeout(timeout_seconds, 0);
    server.set_exception_handler(
        [what](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
            std::string error = "unknown error";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                error = e.what();
            } catch (...) {
            }
            spdlog::error("{}: {} {}: {}", what, req.method, req.path, error);
            res.status = 500;
            res.set_content(nlohmann::json{{"error", "internal error: " + error}}.dump() + "\n",
                            "application/json");
        });
}

int bind_http_server(httplib::Server& server, const std::string& host, int port,
                     const std::string& config_key) {
    int bound = port;
    if (port == 0) {
        bound = server.bind_to_any_port(host);
    } else if (!server.bind_to_port(host, port)) {
        bound = -1;
    }
    if (bound <= 0) {
        throw std::runtime_error(config_key + ": cannot listen on " + host + ":" +
                                 std::to_string(port) + " (address in use or not local?)");
    }
    return bound;
}

}  // namespace pf::daemon
