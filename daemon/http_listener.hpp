#pragma once
// The HTTP/1.1 transport the control port and the tracking listener share
// (Boost.Beast on Boost.Asio): a few I/O threads serve thousands of
// connections, each a small asynchronous state machine with its own
// deadlines, so a client that sends half a request line holds a socket, not
// a thread. The routes live in control_server and tracking_server; this
// file knows nothing of them.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pf::daemon {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method;  // as sent: "GET", "POST", ...
    std::string target;  // path and query, as sent
    std::string path;    // target without the query
    HttpHeaders headers;
    std::string body;
    std::string client_address;  // the peer's IP address

    // The first header of that name (case-insensitive), or "".
    std::string header(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

struct HttpResponse {
    int status = 200;
    HttpHeaders headers;
    std::string body;
    std::string content_type;  // empty: no Content-Type

    void set_header(std::string name, std::string value);
    void set_json(int status_code, const std::string& json_text);
};

// Runs on an I/O thread when the listener's runs_inline says so, on a worker
// thread otherwise. A throw becomes a logged JSON 500.
using HttpHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

struct HttpLimits {
    std::size_t max_header_bytes = 8192;            // request line and headers; above: 431
    std::size_t max_body_bytes = 65536;             // above: 413
    std::chrono::milliseconds head_timeout{5000};   // first byte to end of headers
    std::chrono::milliseconds body_timeout{10000};  // reading the body, writing the answer
    std::chrono::milliseconds idle_timeout{5000};   // keep-alive wait for the next head
    unsigned max_requests_per_connection = 100;
    std::size_t max_connections_per_client = 256;  // per peer address; beyond: closed at accept
    std::size_t max_connections = 10000;           // in all; beyond: closed at accept
};

struct HttpListenerOptions {
    std::string what;        // "control", "tracking": in log lines
    std::string config_key;  // named when the address cannot be bound
    std::string host;
    int port = 0;  // 0: any free port
    std::size_t io_threads = 2;
    std::size_t worker_threads = 4;  // handlers that may block (database, pause waits)
    std::chrono::milliseconds shutdown_grace{5000};
    HttpLimits limits;
    // True: the handler answers this request on the I/O thread (it never
    // blocks, e.g. the pixel); false or unset: a worker thread runs it.
    std::function<bool(const HttpRequest&)> runs_inline;
};

// One request's bytes through the same parser, limits and error answers as
// the listener, without a socket: the serialized response (the handler's,
// or the 400/413/431 the listener would send). For fuzzing and unit tests.
std::string serve_bytes(std::string_view raw_request_bytes, const HttpLimits& limits,
                        const HttpHandler& handler);

struct ListenerCore;  // http_listener.cpp: the sockets, threads and bookkeeping

class HttpListener {
  public:
    HttpListener(HttpListenerOptions options, HttpHandler handler);
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    // Binds host:port (throws std::runtime_error naming config_key when it
    // cannot), starts the threads; returns the bound port.
    int start();
    // Stops accepting, closes idle connections, lets requests in flight
    // finish for up to shutdown_grace, then closes the rest. Idempotent.
    void stop();

  private:
    std::unique_ptr<ListenerCore> impl_;
};

}  // namespace pf::daemon
