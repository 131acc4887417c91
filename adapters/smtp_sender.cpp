#include "adapters/smtp_sender.hpp"

#include <curl/curl.h>

#include <cstring>
#include <optional>

namespace pf::adapters {
namespace {

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

SmtpSender::SmtpSender(SmtpSettings settings) : settings_(std::move(settings)) {}

SmtpSender::~SmtpSender() = default;

SendResult SmtpSender::send(const OutboundEmail& email) {
    // Options are set for each message; the connection stays open between
    // messages of the same handle (libcurl reuses it).
    std::optional<CurlPool::Lease> lease;
    try {
        lease.emplace(pool_.take());
    } catch (const std::exception& e) {
        return SendResult::transient(std::string("smtp: ") + e.what());
    }
    CURL* curl = lease->get();
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
    lease.reset();

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
