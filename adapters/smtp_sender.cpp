#include "adapters/smtp_sender.hpp"

#include <curl/curl.h>

#include <cstring>

namespace pf::adapters {
namespace {

void init_curl() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
    const std::string* data;
    std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, upload->data->size() - upload->offset);
    std::memcpy(buffer, upload->data->data() + upload->offset, n);
    upload->offset += n;
    return n;
}

// The server's replies as they arrive: the last one explains the outcome.
int record_replies(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    if (type == CURLINFO_HEADER_IN) {
        auto* last = static_cast<std::string*>(user);
        std::string line(data, size);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
        if (!line.empty()) *last = line;
    }
    return 0;
}

struct SlistFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

SendOutcome smtp_outcome(long reply_code) {
    if (reply_code >= 200 && reply_code < 300) return SendOutcome::sent;
    if (reply_code >= 500 && reply_code < 600) return SendOutcome::permanent_failure;
    return SendOutcome::transient_failure;
}

struct SmtpSender::Handle {
    Handle() : curl(curl_easy_init()) {}
    ~Handle() {
        if (curl) curl_easy_cleanup(curl);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    CURL* curl;
};

SmtpSender::SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) {
    init_curl();
}

SmtpSender::~SmtpSender() = default;

std::unique_ptr<SmtpSender::Handle> SmtpSender::take() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto handle = std::move(idle_.back());
            idle_.pop_back();
            return handle;
        }
    }
    auto handle = std::make_unique<Handle>();
    if (!handle->curl) throw std::runtime_error("smtp: curl_easy_init failed");
    return handle;
}

void SmtpSender::give_back(std::unique_ptr<Handle> handle) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(handle));
}

SendResult SmtpSender::send(const OutboundEmail& email) {
    auto handle = take();
    CURL* curl = handle->curl;
    // Options are set for each message; the connection stays open between
    // messages of the same handle (libcurl reuses it).
    curl_easy_reset(curl);
    std::string url = settings_.url;
    if (!settings_.helo_domain.empty()) url += "/" + settings_.helo_domain;
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    if (url.rfind("smtp://", 0) == 0 && settings_.starttls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!settings_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
    if (!settings_.username.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, settings_.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    const std::string from = "<" + email.from_email + ">";
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    std::unique_ptr<curl_slist, SlistFree> recipients(
        curl_slist_append(nullptr, ("<" + email.to_email + ">").c_str()));
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
    Upload upload{&email.mime};
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    std::string last_reply;
    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, record_replies);
    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &last_reply);
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);

    const CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    const std::string detail = last_reply.empty() ? std::string(error) : last_reply;
    give_back(std::move(handle));

    if (rc == CURLE_OK) return SendResult::sent(last_reply);
    const std::string why = "smtp " + settings_.url + ": " +
                            (error[0] ? std::string(error) : curl_easy_strerror(rc)) +
                            (last_reply.empty() ? "" : " (server: " + last_reply + ")");
    if (code >= 400) {
        if (smtp_outcome(code) == SendOutcome::permanent_failure) return SendResult::permanent(why);
        return SendResult::transient(why);
    }
    // No reply to judge by: connection refused, TLS, timeout, authentication.
    return SendResult::transient(why);
}

}  // namespace pf::adapters
