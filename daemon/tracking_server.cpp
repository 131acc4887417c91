#include "daemon/tracking_server.hpp"

#include <gmime/gmime.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <regex>

#include "adapters/http_sender.hpp"
#include "daemon/http_listener.hpp"
#include "db/connection.hpp"
#include "db/tracking_store.hpp"

namespace pf::daemon {
namespace {

using nlohmann::json;

// The smallest transparent GIF: 1x1, one colour, 43 bytes.
constexpr unsigned char kGif[] = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
                                  0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
                                  0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
                                  0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

constexpr const char* kUnsubscribedPage =
    "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Désinscription</title>"
    "</head><body><p>Vous ne recevrez plus nos emails. / You will not receive our emails any "
    "more.</p></body></html>\n";

std::int64_t now_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void no_cache(HttpResponse& res) {
    res.set_header("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0");
    res.set_header("Pragma", "no-cache");
    res.set_header("Expires", "0");
}

void send_json(HttpResponse& res, int status, const json& body) {
    res.set_json(status, body.dump() + "\n");
}

bool token_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

// The token of "<prefix><token><suffix>" (1 to 128 of [A-Za-z0-9_-]), or
// "". Plain string work: the pixel is the hot path.
std::string token_in(std::string_view path, std::string_view prefix, std::string_view suffix) {
    if (path.size() <= prefix.size() + suffix.size() || path.substr(0, prefix.size()) != prefix ||
        path.substr(path.size() - suffix.size()) != suffix)
        return "";
    const auto token = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (token.size() > 128) return "";
    for (char c : token)
        if (!token_char(c)) return "";
    return std::string(token);
}

bool answers_inline(const HttpRequest& req) {
    return req.path == "/healthz" || !token_in(req.path, "/o/", ".gif").empty();
}

// Ids in a header like In-Reply-To or References, without angle brackets.
std::vector<std::string> message_ids(const std::string& header) {
    std::vector<std::string> ids;
    static const std::regex id("<([^<>\\s]+)>");
    for (std::sregex_iterator it(header.begin(), header.end(), id), end; it != end; ++it)
        ids.push_back((*it)[1].str());
    if (ids.empty() && !header.empty() && header.find_first_of(" <>") == std::string::npos)
        ids.push_back(header);
    return ids;
}

std::string header_of(GMimeObject* object, const char* name) {
    const char* value = g_mime_object_get_header(object, name);
    return value ? value : "";
}

// The reply's envelope from the raw message (GMime's parser).
db::InboundReply parse_raw_reply(const std::string& raw) {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
    db::InboundReply reply;
    std::unique_ptr<GMimeStream, decltype(&g_object_unref)> stream(
        g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()), &g_object_unref);
    std::unique_ptr<GMimeParser, decltype(&g_object_unref)> parser(
        g_mime_parser_new_with_stream(stream.get()), &g_object_unref);
    GMimeMessage* parsed = g_mime_parser_construct_message(parser.get(), nullptr);
    if (!parsed) throw std::invalid_argument("\"raw\" is not a parsable message");
    std::unique_ptr<GMimeMessage, decltype(&g_object_unref)> message(parsed, &g_object_unref);
    auto* object = GMIME_OBJECT(message.get());
    for (const auto& id : message_ids(header_of(object, "In-Reply-To")))
        reply.refers_to.push_back(id);
    for (const auto& id : message_ids(header_of(object, "References")))
        reply.refers_to.push_back(id);
    if (const char* id = g_mime_message_get_message_id(message.get())) reply.message_id = id;
    if (auto* from = g_mime_message_get_from(message.get());
        from && internet_address_list_length(from) > 0) {
        auto* address = internet_address_list_get_address(from, 0);
        if (INTERNET_ADDRESS_IS_MAILBOX(address))
            reply.from_email = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
    }
    if (const char* subject = g_mime_message_get_subject(message.get())) reply.subject = subject;
    return reply;
}

// The reply webhook's body: the raw message, or its headers as fields.
db::InboundReply reply_event(const json& body) {
    db::InboundReply reply;
    if (body.contains("raw")) {
        reply = parse_raw_reply(body.at("raw").get<std::string>());
    } else {
        for (const auto& id : message_ids(body.value("in_reply_to", "")))
            reply.refers_to.push_back(id);
        for (const auto& id : message_ids(body.value("references", "")))
            reply.refers_to.push_back(id);
        reply.message_id = body.value("message_id", "");
        if (!reply.message_id.empty() && reply.message_id.front() == '<')
            reply.message_id = reply.message_id.substr(1, reply.message_id.size() - 2);
        reply.subject = body.value("subject", "");
    }
    reply.from_email = body.value("from", reply.from_email);
    reply.to_email = body.value("to", "");
    reply.body_text = body.value("text", "");
    return reply;
}

db::Bounce bounce_event(const json& body) {
    db::Bounce bounce;
    auto id = body.at("message_id").get<std::string>();
    if (!id.empty() && id.front() == '<') id = id.substr(1, id.size() - 2);
    bounce.rfc_message_id = id;
    const auto type = body.value("type", "hard");
    if (type != "hard" && type != "soft") throw std::invalid_argument("type must be hard or soft");
    bounce.hard = type == "hard";
    bounce.status = body.value("status", "");
    bounce.diagnostic = body.value("diagnostic", "");
    return bounce;
}

}  // namespace

struct TrackingServer::Impl {
    explicit Impl(TrackingServerOptions o) : options(std::move(o)) {}
    TrackingServerOptions options;
    std::unique_ptr<HttpListener> listener;
    std::thread flusher;

    // Opens waiting to be written: token -> count, first and last time.
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
    std::map<std::string, db::OpenCount> pending;

    // One connection for the listener's writes, used by one request at a time.
    std::mutex db_mutex;
    std::unique_ptr<pqxx::connection> connection;

    template <typename F>
    auto with_store(F f) {
        std::lock_guard lock(db_mutex);
        try {
            if (!connection || !connection->is_open())
                connection = db::connect(options.database_url);
            db::TrackingStore store(*connection);
            return f(store);
        } catch (const pqxx::broken_connection&) {
            connection.reset();
            throw;
        }
    }

    void count_open(const std::string& token) {
        const auto t = now_micros();
        std::lock_guard lock(mutex);
        auto& o = pending[token];
        if (o.count == 0) {
            o.token = token;
            o.first_micros = t;
        }
        ++o.count;
        o.last_micros = t;
    }

    void flush_loop() {
        std::unique_lock lock(mutex);
        while (true) {
            wake.wait_for(lock, options.flush_interval, [&] { return stopping; });
            if (pending.empty()) {
                if (stopping) return;
                continue;
            }
            std::vector<db::OpenCount> batch;
            for (auto& [token, open] : pending) batch.push_back(open);
            pending.clear();
            lock.unlock();
            try {
                with_store([&](db::TrackingStore& store) { return store.record_opens(batch); });
            } catch (const std::exception& e) {
                spdlog::warn("tracking: {} open(s) not written yet: {}", batch.size(), e.what());
                lock.lock();
                for (auto& o : batch) {  // keep them for the next flush
                    auto& p = pending[o.token];
                    if (p.count == 0)
                        p = o;
                    else {
                        p.count += o.count;
                        p.first_micros = std::min(p.first_micros, o.first_micros);
                    }
                }
                if (stopping) return;
                continue;
            }
            lock.lock();
        }
    }

    bool signed_by_us(const HttpRequest& req) const {
        if (options.webhook_secret.empty()) return false;
        const auto timestamp = req.header("X-ProspectFlow-Timestamp");
        const auto signature = req.header("X-ProspectFlow-Signature");
        long long when = 0;
        try {
            when = std::stoll(timestamp);
        } catch (const std::exception&) {
            return false;
        }
        if (std::llabs(when - now_micros() / 1000000) > 300) return false;
        const auto expected =
            "sha256=" + adapters::http_signature(options.webhook_secret, timestamp, req.body);
        return signature.size() == expected.size() &&
               CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
    }

    void route(const HttpRequest& req, HttpResponse& res) {
        const bool get = req.method == "GET", post = req.method == "POST";
        if (get && req.path == "/healthz") return send_json(res, 200, json{{"status", "ok"}});
        if (get) {
            if (auto token = token_in(req.path, "/o/", ".gif"); !token.empty()) {
                count_open(token);
                no_cache(res);
                res.content_type = "image/gif";
                res.body.assign(reinterpret_cast<const char*>(kGif), sizeof kGif);
                return;
            }
        }
        if (get || post) {
            if (auto token = token_in(req.path, "/u/", ""); !token.empty())
                return unsubscribe(token, res);
        }
        if (post && req.path == "/webhooks/reply") return reply_webhook(req, res);
        if (post && req.path == "/webhooks/bounce") return bounce_webhook(req, res);
        send_json(res, 404, json{{"error", "no such endpoint: " + req.method + " " + req.path}});
    }

    void unsubscribe(const std::string& token, HttpResponse& res) {
        const auto result = with_store([&](db::TrackingStore& s) { return s.unsubscribe(token); });
        if (result.matched)
            spdlog::info("tracking: enrollment {} of {} unsubscribed (one-click)",
                         result.enrollment_id, result.organisation_id);
        // The same page either way: a token reveals nothing.
        no_cache(res);
        res.content_type = "text/html; charset=utf-8";
        res.body = kUnsubscribedPage;
    }

    void reply_webhook(const HttpRequest& req, HttpResponse& res) {
        if (!signed_by_us(req))
            return send_json(res, 401, json{{"error", "missing, stale or wrong signature"}});
        db::InboundReply reply;
        try {
            reply = reply_event(json::parse(req.body));
        } catch (const std::exception& e) {
            return send_json(res, 400,
                             json{{"error", std::string("bad reply event: ") + e.what()}});
        }
        const auto result = with_store([&](db::TrackingStore& s) { return s.record_reply(reply); });
        if (!result.matched) return send_json(res, 202, json{{"matched", false}});
        spdlog::info("tracking: reply to message {} recorded; enrollment {} replied",
                     result.message_id, result.enrollment_id);
        send_json(res, 200, json{{"matched", true}, {"enrollment_id", result.enrollment_id}});
    }

    void bounce_webhook(const HttpRequest& req, HttpResponse& res) {
        if (!signed_by_us(req))
            return send_json(res, 401, json{{"error", "missing, stale or wrong signature"}});
        db::Bounce bounce;
        try {
            bounce = bounce_event(json::parse(req.body));
        } catch (const std::exception& e) {
            return send_json(res, 400,
                             json{{"error", std::string("bad bounce event: ") + e.what()}});
        }
        const auto result =
            with_store([&](db::TrackingStore& s) { return s.record_bounce(bounce); });
        if (!result.matched) return send_json(res, 202, json{{"matched", false}});
        spdlog::info("tracking: {} bounce of message {} recorded", bounce.hard ? "hard" : "soft",
                     result.message_id);
        send_json(res, 200, json{{"matched", true}, {"enrollment_id", result.enrollment_id}});
    }
};

TrackingServer::TrackingServer(TrackingServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
    auto* impl = impl_.get();
    auto listener_options = impl->options.listener;
    listener_options.what = "tracking";
    listener_options.config_key = "tracking.listen";
    // The pixel and /healthz never block: answered on the I/O threads. The
    // rest waits for the database: on the workers.
    listener_options.runs_inline = answers_inline;
    impl->listener = std::make_unique<HttpListener>(
        std::move(listener_options),
        [impl](const HttpRequest& req, HttpResponse& res) { impl->route(req, res); });
}

TrackingServer::~TrackingServer() {
    stop();
}

int TrackingServer::start() {
    const int port = impl_->listener->start();
    impl_->flusher = std::thread([impl = impl_.get()] { impl->flush_loop(); });
    return port;
}

void TrackingServer::stop() {
    impl_->listener->stop();
    if (impl_->flusher.joinable()) {
        {
            std::lock_guard lock(impl_->mutex);
            impl_->stopping = true;
        }
        impl_->wake.notify_all();
        impl_->flusher.join();
    }
}

}  // namespace pf::daemon
