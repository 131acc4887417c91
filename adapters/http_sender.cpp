#include "adapters/http_sender.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "adapters/pending_sends.hpp"

namespace pf::adapters {
namespace {

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    // Keep what explains a failure; a relay's answer is small.
    const std::size_t n = size * count;
    if (body->size() < 4096) body->append(data, std::min(n, 4096 - body->size()));
    return n;
}

struct SlistFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

std::string request_body(const OutboundEmail& email) {
    return nlohmann::json{
        {"message_id", email.message_id}, {"rfc_message_id", email.rfc_message_id},
        {"from", email.from_email},       {"to", email.to_email},
        {"subject", email.subject},       {"mime", email.mime}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One message, one POST.
class HttpTransfer final : public CurlTransfer {
  public:
    HttpTransfer(const HttpSettings& settings, OutboundEmail email, std::size_t index,
                 std::shared_ptr<const SendCallback> done)
        : CurlTransfer(index, std::move(done)), settings_(settings), email_(std::move(email)) {}

    void prepare(CURL* curl) override;
    Outcome finish(CURL* curl, CURLcode rc) override;

  private:
    void build_headers();
    SendResult result(CURLcode rc, long status) const;

    const HttpSettings& settings_;
    OutboundEmail email_;
    std::string body_;
    std::unique_ptr<curl_slist, SlistFree> headers_;
    std::string answer_;
    char error_[CURL_ERROR_SIZE] = {};
};

// The body is built here, when the request starts, not when it was queued:
// the signed timestamp must be fresh even after a wait for the relay's window.
void HttpTransfer::prepare(CURL* curl) {
    body_ = request_body(email_);
    build_headers();
    answer_.clear();
    curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers_.get());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body_.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer_);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, settings_.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_);
    if (!settings_.ca_file.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
}

void HttpTransfer::build_headers() {
    const auto timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
    headers_.reset();
    const auto add = [&](const std::string& header) {
        headers_.reset(curl_slist_append(headers_.release(), header.c_str()));
    };
    add("Content-Type: application/json");
    add("Accept: application/json");
    add("Idempotency-Key: " + email_.message_id);
    add("X-ProspectFlow-Timestamp: " + timestamp);
    if (!settings_.signing_secret.empty())
        add("X-ProspectFlow-Signature: sha256=" +
            http_signature(settings_.signing_secret, timestamp, body_));
    if (!settings_.bearer_token.empty()) add("Authorization: Bearer " + settings_.bearer_token);
}

CurlTransfer::Outcome HttpTransfer::finish(CURL* curl, CURLcode rc) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    return {result(rc, status), http_feedback(rc, status)};
}

SendResult HttpTransfer::result(CURLcode rc, long status) const {
    if (rc != CURLE_OK) {
        return SendResult::transient("http " + settings_.url + ": " +
                                     (error_[0] ? std::string(error_) : curl_easy_strerror(rc)));
    }
    const auto outcome = http_outcome(status);
    if (outcome == SendOutcome::sent) {
        std::string provider_id;
        try {
            const auto parsed = nlohmann::json::parse(answer_);
            if (parsed.is_object() && parsed.contains("id") && parsed["id"].is_string())
                provider_id = parsed["id"].get<std::string>();
        } catch (const nlohmann::json::exception&) {
            // A 2xx without JSON is still a send; it just names nothing.
        }
        return SendResult::sent(provider_id);
    }
    std::string snippet = answer_.substr(0, 300);
    for (auto& c : snippet)
        if (c == '\n' || c == '\r') c = ' ';
    const auto why = "http " + settings_.url + ": " + std::to_string(status) +
                     (snippet.empty() ? "" : " " + snippet);
    return outcome == SendOutcome::permanent_failure ? SendResult::permanent(why)
                                                     : SendResult::transient(why);
}

}  // namespace

SendOutcome http_outcome(long status) {
    if (status >= 200 && status < 300) return SendOutcome::sent;
    if (status == 408 || status == 429 || status >= 500 || status < 100)
        return SendOutcome::transient_failure;
    if (status >= 400) return SendOutcome::permanent_failure;
    return SendOutcome::transient_failure;  // 1xx/3xx: not an answer we can trust
}

RelayFeedback http_feedback(CURLcode transfer, long status) {
    if (transfer == CURLE_COULDNT_CONNECT || transfer == CURLE_OPERATION_TIMEDOUT)
        return RelayFeedback::congested;
    if (transfer != CURLE_OK) return RelayFeedback::neutral;
    if (status == 429 || status == 503) return RelayFeedback::congested;
    if (status >= 200 && status < 300) return RelayFeedback::accepted;
    return RelayFeedback::neutral;
}

std::string http_signature(const std::string& secret, const std::string& timestamp,
                           const std::string& body) {
    const std::string signed_text = timestamp + "." + body;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), digest,
         &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

HttpSender::HttpSender(HttpSettings settings)
    : settings_(std::move(settings)), loop_("http", settings_.max_connections, 1) {}

HttpSender::~HttpSender() = default;

SendResult HttpSender::send(const OutboundEmail& email) {
    return send_and_wait(*this, email);
}

void HttpSender::send_many(std::vector<OutboundEmail> emails, SendCallback done) {
    // The relay is the URL: the http adapter has no login beyond its token.
    loop_.submit(settings_.url,
                 transfers_for<HttpTransfer>(settings_, std::move(emails), std::move(done)));
}

}  // namespace pf::adapters
