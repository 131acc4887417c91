#include "daemon/http_listener.hpp"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pf::daemon {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using BeastRequest = http::request<http::string_body>;
using BeastResponse = http::response<http::string_body>;
using Parser = http::request_parser<http::string_body>;
// Sockets and streams bound to their io_context's own executor type, not
// the type-erased any_io_executor: no erased call on every operation.
using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;
using Stream = beast::basic_stream<tcp, Executor, beast::unlimited_rate_policy>;

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

void apply_limits(Parser& parser, const HttpLimits& limits) {
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
}

std::string error_body(const std::string& message) {
    return nlohmann::json{{"error", message}}.dump() + "\n";
}

// The answer the transport gives on its own when a request cannot be read;
// nullopt when there is nobody to answer (closed, timed out).
std::optional<HttpResponse> unreadable_request_answer(const beast::error_code& ec) {
    HttpResponse res;
    if (ec == http::error::header_limit) {
        res.set_json(431, error_body("request header too large"));
    } else if (ec == http::error::body_limit) {
        res.set_json(413, error_body("request body too large"));
    } else if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
               ec.category() != http::make_error_code(http::error::bad_method).category()) {
        return std::nullopt;
    } else {
        res.set_json(400, error_body("bad request: " + ec.message()));
    }
    res.set_header("Connection", "close");
    return res;
}

// HEAD is answered like GET without the body (as cpp-httplib did).
HttpRequest to_request(BeastRequest&& msg, std::string client_address) {
    HttpRequest req;
    req.method = msg.method() == http::verb::head ? "GET" : std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.path = req.target.substr(0, req.target.find('?'));
    for (const auto& field : msg)
        req.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    req.body = std::move(msg.body());
    req.client_address = std::move(client_address);
    return req;
}

HttpResponse call_handler(const HttpHandler& handler, const HttpRequest& req,
                          const std::string& what) {
    HttpResponse res;
    try {
        handler(req, res);
    } catch (const std::exception& e) {
        spdlog::error("{}: {} {}: {}", what, req.method, req.path, e.what());
        res = HttpResponse{};
        res.set_json(500, error_body(std::string("internal error: ") + e.what()));
    }
    return res;
}

bool asks_to_close(const HttpResponse& res) {
    for (const auto& [name, value] : res.headers)
        if (same_name(name, "Connection") && same_name(value, "close")) return true;
    return false;
}

BeastResponse to_beast(HttpResponse&& res, unsigned version, bool keep_alive, bool head_only) {
    BeastResponse out;
    out.version(version);
    out.result(static_cast<unsigned>(res.status));
    for (auto& [name, value] : res.headers) {
        if (same_name(name, "Connection")) continue;  // keep_alive decides it
        out.insert(name, value);
    }
    if (!res.content_type.empty()) out.set(http::field::content_type, res.content_type);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    if (head_only) out.body().clear();  // Content-Length stays the GET body's
    return out;
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
    for (const auto& [n, value] : headers)
        if (same_name(n, name)) return value;
    return "";
}

bool HttpRequest::has_header(std::string_view name) const {
    for (const auto& header : headers)
        if (same_name(header.first, name)) return true;
    return false;
}

void HttpResponse::set_header(std::string name, std::string value) {
    for (auto& header : headers) {
        if (same_name(header.first, name)) {
            header.second = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

void HttpResponse::set_json(int status_code, const std::string& json_text) {
    status = status_code;
    body = json_text;
    content_type = "application/json";
}

std::string serve_bytes(std::string_view raw_request_bytes, const HttpLimits& limits,
                        const HttpHandler& handler) {
    Parser parser;
    apply_limits(parser, limits);
    parser.eager(true);
    beast::error_code ec;
    net::const_buffer input(raw_request_bytes.data(), raw_request_bytes.size());
    while (input.size() > 0 && !parser.is_done()) {
        const auto used = parser.put(input, ec);
        input += used;
        if (ec == http::error::need_more && used > 0) ec = {};
        if (ec) break;
    }
    if (ec == http::error::need_more || (!ec && !parser.is_done())) {
        // Beast's put_eof asserts got_some() (debug builds abort), and takes
        // the end of input before any byte as a complete (empty) message; the
        // listener just sees a client leave. Answer 400 for no bytes at all.
        if (!parser.got_some()) {
            ec = http::error::partial_message;
        } else {
            ec = {};
            parser.put_eof(ec);  // all the bytes there will be
        }
    }
    std::ostringstream out;
    if (ec) {
        HttpResponse answer;
        answer.set_json(400, error_body("bad request: " + ec.message()));
        if (auto own = unreadable_request_answer(ec)) answer = std::move(*own);
        out << to_beast(std::move(answer), 11, false, false);
        return out.str();
    }
    auto msg = parser.release();
    const bool head_only = msg.method() == http::verb::head;
    const auto version = msg.version();
    const bool keep_alive = msg.keep_alive();
    auto res = call_handler(handler, to_request(std::move(msg), "127.0.0.1"), "fuzz");
    const bool stays_open = keep_alive && !asks_to_close(res);
    out << to_beast(std::move(res), version, stays_open, head_only);
    return out.str();
}

// ---------------------------------------------------------------------------

class Connection;

struct ListenerCore {
    ListenerCore(HttpListenerOptions o, HttpHandler h)
        : options(std::move(o)),
          handler(std::move(h)),
          contexts(make_contexts(options.io_threads)),
          pool(options.worker_threads) {}

    // One io_context per I/O thread, each connection on one of them: no
    // reactor shared between threads, so no lock or cross-thread wake-up on
    // the pixel's path (the concurrency hint says one thread runs each).
    static std::vector<std::unique_ptr<net::io_context>> make_contexts(std::size_t count) {
        std::vector<std::unique_ptr<net::io_context>> contexts;
        for (std::size_t i = 0; i < std::max<std::size_t>(1, count); ++i)
            contexts.push_back(std::make_unique<net::io_context>(1));
        return contexts;
    }

    HttpListenerOptions options;
    HttpHandler handler;

    // Who is connected: per peer address, in all, and a handle on each for
    // shutdown. Guarded by mutex; `drained` is signalled when one leaves.
    std::mutex mutex;
    std::condition_variable drained;
    std::map<std::string, std::size_t> per_client;
    std::map<const Connection*, std::weak_ptr<Connection>> live;
    std::atomic<bool> stopping{false};
    bool started = false;

    // Declared after the bookkeeping: destroyed first, and with them any
    // connection still held by a pending handler (which unregisters itself).
    std::vector<std::unique_ptr<net::io_context>> contexts;
    tcp::acceptor acceptor{*contexts.front()};
    net::steady_timer accept_retry{*contexts.front()};
    std::size_t next_context = 0;  // round robin, used by the accepting thread only
    net::thread_pool pool;
    std::vector<std::thread> threads;

    void bind();
    void accept();
    void admit(Socket socket);
    bool reserve(const std::string& client);
    void release(const Connection* connection, const std::string& client);
    void drain_connections();
};

// One client connection: read a head (head deadline), then the body (body
// deadline), answer (inline or on a worker), write (body deadline), and
// again while keep-alive allows. Every step runs on the connection's
// io_context, which one thread runs: no strand needed.
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(Socket socket, ListenerCore& owner, std::string client)
        : stream_(std::move(socket)), owner_(owner), client_(std::move(client)) {}
    ~Connection() { owner_.release(this, client_); }

    // Called on the accepting thread: hop to the connection's own.
    void start() {
        net::post(stream_.get_executor(), [self = shared_from_this()] { self->read_head(); });
    }

    // Shutdown: a connection waiting for (or in the middle of) a head has
    // nothing in flight and is closed; the others close after their answer.
    void stop_if_idle() {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
            if (self->phase_ == Phase::head) self->stream_.socket().close();
        });
    }

  private:
    enum class Phase { head, body, handling, writing, closing };

    const HttpLimits& limits() const { return owner_.options.limits; }

    void read_head() {
        phase_ = Phase::head;
        if (owner_.stopping) return stream_.socket().close();
        parser_.emplace();
        apply_limits(*parser_, limits());
        // A follow-up request's head has the keep-alive idle time to arrive.
        stream_.expires_after(served_ == 0 ? limits().head_timeout : limits().idle_timeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_head(ec); });
    }

    void on_head(beast::error_code ec) {
        if (ec) return fail(ec);
        phase_ = Phase::body;
        stream_.expires_after(limits().body_timeout);
        if (parser_->is_done()) return on_body({});
        const auto expect = parser_->get()[http::field::expect];
        if (same_name(std::string_view(expect.data(), expect.size()), "100-continue")) {
            // The client waits for this before it sends the body (curl does
            // for bodies over 1 KiB).
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                                    [self = shared_from_this()](beast::error_code e, std::size_t) {
                                        if (e) return self->fail(e);
                                        self->read_body();
                                    });
        }
        read_body();
    }

    void read_body() {
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
    }

    void on_body(beast::error_code ec) {
        if (ec) return fail(ec);
        phase_ = Phase::handling;
        auto msg = parser_->release();
        version_ = msg.version();
        head_only_ = msg.method() == http::verb::head;
        keep_alive_ = msg.keep_alive() && ++served_ < limits().max_requests_per_connection;
        auto req = to_request(std::move(msg), client_);
        const auto& inline_test = owner_.options.runs_inline;
        if (inline_test && inline_test(req))
            return respond(call_handler(owner_.handler, req, owner_.options.what));
        net::post(owner_.pool, [self = shared_from_this(), req = std::move(req)] {
            auto res = call_handler(self->owner_.handler, req, self->owner_.options.what);
            net::post(self->stream_.get_executor(),
                      [self, res = std::move(res)]() mutable { self->respond(std::move(res)); });
        });
    }

    void respond(HttpResponse res) {
        phase_ = Phase::writing;
        if (asks_to_close(res) || owner_.stopping) keep_alive_ = false;
        response_ = to_beast(std::move(res), version_, keep_alive_, head_only_);
        stream_.expires_after(limits().body_timeout);
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->stream_.socket().close();
                              if (!self->keep_alive_) return self->linger_close();
                              self->read_head();
                          });
    }

    void fail(beast::error_code ec) {
        auto answer = unreadable_request_answer(ec);
        if (!answer) {
            if (ec == beast::error::timeout && phase_ == Phase::head && served_ == 0)
                spdlog::debug("{}: {} closed: no request head within {} ms", owner_.options.what,
                              client_, limits().head_timeout.count());
            return stream_.socket().close();
        }
        spdlog::debug("{}: {}: answered {}: {}", owner_.options.what, client_, answer->status,
                      ec.message());
        keep_alive_ = false;
        version_ = 11;
        head_only_ = false;
        respond(std::move(*answer));
    }

    // Closing with unread bytes in the receive buffer sends a reset, which
    // can destroy the answer before the client reads it (a 413 leaves the
    // body unread): stop sending, read what still comes for a second, close.
    void linger_close() {
        phase_ = Phase::closing;
        beast::error_code ignored;
        stream_.socket().shutdown(Socket::shutdown_send, ignored);
        stream_.expires_after(std::chrono::seconds(1));
        drain();
    }

    void drain() {
        stream_.async_read_some(net::buffer(discard_),
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    if (ec) return self->stream_.socket().close();
                                    self->drain();
                                });
    }

    Stream stream_;
    ListenerCore& owner_;
    const std::string client_;
    beast::flat_buffer buffer_;
    std::optional<Parser> parser_;
    BeastResponse response_;
    Phase phase_ = Phase::head;
    unsigned served_ = 0;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool head_only_ = false;
    std::array<char, 4096> discard_{};
};

void ListenerCore::bind() {
    try {
        tcp::resolver resolver(*contexts.front());
        const auto endpoint =
            resolver.resolve(options.host, std::to_string(options.port))->endpoint();
        acceptor.open(endpoint.protocol());
        // SO_REUSEADDR only (restart over TIME_WAIT); no SO_REUSEPORT, so a
        // second daemon cannot share the port.
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(net::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(options.config_key + ": cannot listen on " + options.host + ":" +
                                 std::to_string(options.port) + " (" + e.code().message() + ")");
    }
}

void ListenerCore::accept() {
    auto& context = *contexts[next_context++ % contexts.size()];
    acceptor.async_accept(context.get_executor(), [this](beast::error_code ec, Socket socket) {
        if (ec == net::error::operation_aborted || stopping) return;
        if (!ec) {
            admit(std::move(socket));
            return accept();
        }
        // Out of file descriptors, usually: wait a little instead of spinning.
        spdlog::warn("{}: accept failed: {}", options.what, ec.message());
        accept_retry.expires_after(std::chrono::milliseconds(50));
        accept_retry.async_wait([this](beast::error_code e) {
            if (!e && !stopping) accept();
        });
    });
}

void ListenerCore::admit(Socket socket) {
    beast::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    if (ec) return;
    auto client = peer.address().to_string();
    if (!reserve(client)) {
        spdlog::debug("{}: {} refused: connection limit", options.what, client);
        socket.close(ec);
        return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto connection = std::make_shared<Connection>(std::move(socket), *this, client);
    {
        std::lock_guard lock(mutex);
        live[connection.get()] = connection;
    }
    connection->start();
}

bool ListenerCore::reserve(const std::string& client) {
    std::lock_guard lock(mutex);
    auto& mine = per_client[client];
    if (live.size() >= options.limits.max_connections ||
        mine >= options.limits.max_connections_per_client) {
        if (mine == 0) per_client.erase(client);
        return false;
    }
    ++mine;
    return true;
}

void ListenerCore::release(const Connection* connection, const std::string& client) {
    std::lock_guard lock(mutex);
    live.erase(connection);
    if (auto it = per_client.find(client); it != per_client.end() && --it->second == 0)
        per_client.erase(it);
    drained.notify_all();
}

void ListenerCore::drain_connections() {
    std::vector<std::shared_ptr<Connection>> connections;
    {
        std::lock_guard lock(mutex);
        for (auto& [key, weak] : live)
            if (auto c = weak.lock()) connections.push_back(std::move(c));
    }
    for (auto& c : connections) c->stop_if_idle();
    connections.clear();
    std::unique_lock lock(mutex);
    if (!drained.wait_for(lock, options.shutdown_grace, [&] { return live.empty(); }))
        spdlog::warn("{}: {} connection(s) still busy after {} ms; closing them", options.what,
                     live.size(), options.shutdown_grace.count());
}

HttpListener::HttpListener(HttpListenerOptions options, HttpHandler handler)
    : impl_(std::make_unique<ListenerCore>(std::move(options), std::move(handler))) {}

HttpListener::~HttpListener() {
    stop();
}

int HttpListener::start() {
    impl_->bind();
    const int port = impl_->acceptor.local_endpoint().port();
    impl_->started = true;
    net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] { impl->accept(); });
    for (auto& context : impl_->contexts) {
        impl_->threads.emplace_back([&context] {
            // Runs until stop(), connections or not.
            auto work = net::make_work_guard(*context);
            context->run();
        });
    }
    return port;
}

void HttpListener::stop() {
    auto& impl = *impl_;
    if (!impl.started || impl.stopping.exchange(true)) return;
    net::post(impl.acceptor.get_executor(), [&impl] {
        beast::error_code ignored;
        impl.acceptor.close(ignored);
        impl.accept_retry.cancel();
    });
    impl.drain_connections();
    for (auto& context : impl.contexts) context->stop();
    for (auto& t : impl.threads) t.join();
    impl.pool.stop();
    impl.pool.join();
}

}  // namespace pf::daemon
