#include "adapters/smtp_sender.hpp"

#include <curl/curl.h>

#include <cstring>
#include <memory>

#include "adapters/pending_sends.hpp"

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

// One message, one SMTP transaction. Options are set for each message; the
// connection stays open between messages (the multi handle's cache).
class SmtpTransfer final : public CurlTransfer {
  public:
    SmtpTransfer(SmtpSettings settings, OutboundEmail email, std::size_t index,
                 std::shared_ptr<const SendCallback> done)
        : CurlTransfer(index, std::move(done)), settings_(settings), email_(std::move(email)) {}

    void prepare(CURL* curl) override;
    Outcome finish(CURL* curl, CURLcode rc) override;

  private:
    SendResult result(CURLcode rc, long code) const;

    SmtpSettings settings_;
    OutboundEmail email_;
    std::string url_, from_;
    std::unique_ptr<curl_slist, SlistFree> recipients_;
    Upload upload_{&email_.mime};
    std::string last_reply_;
    char error_[CURL_ERROR_SIZE] = {};
};

void SmtpTransfer::prepare(CURL* curl) {
    url_ = settings_.url;
    if (!settings_.helo_domain.empty()) url_ += "/" + settings_.helo_domain;
    curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
    if (url_.rfind("smtp://", 0) == 0 && settings_.starttls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!settings_.ca_file.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
    if (!settings_.username.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
        if (!settings_.oauth_bearer.empty())
            curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER, settings_.oauth_bearer.c_str());
        else
            curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, settings_.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, settings_.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    from_ = "<" + email_.from_email + ">";
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_.c_str());
    recipients_.reset(curl_slist_append(nullptr, ("<" + email_.to_email + ">").c_str()));
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients_.get());
    upload_.offset = 0;
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload_);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, record_replies);
    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &last_reply_);
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_);
}

CurlTransfer::Outcome SmtpTransfer::finish(CURL* curl, CURLcode rc) {
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return {result(rc, code), smtp_feedback(rc, code)};
}

SendResult SmtpTransfer::result(CURLcode rc, long code) const {
    if (rc == CURLE_OK) return SendResult::sent(last_reply_);
    const std::string why = "smtp " + settings_.url + ": " +
                            (error_[0] ? std::string(error_) : curl_easy_strerror(rc)) +
                            (last_reply_.empty() ? "" : " (server: " + last_reply_ + ")");
    if (const auto problem = smtp_sender_problem(rc, code); problem != SenderProblem::none)
        return SendResult::sender_failed(problem, why);
    if (code >= 400 && smtp_outcome(code) == SendOutcome::permanent_failure)
        return SendResult::permanent(why);
    // 4xx, or no reply to judge by: connection refused, TLS, timeout, authentication.
    return SendResult::transient(why);
}

}  // namespace

SendOutcome smtp_outcome(long reply_code) {
    if (reply_code >= 200 && reply_code < 300) return SendOutcome::sent;
    if (reply_code >= 500 && reply_code < 600) return SendOutcome::permanent_failure;
    return SendOutcome::transient_failure;
}

SenderProblem smtp_sender_problem(CURLcode transfer, long reply_code) {
    // 535 (credentials), 534 (web login required), 530 (authentication
    // required): RFC 4954 section 6; libcurl says CURLE_LOGIN_DENIED.
    if (transfer == CURLE_LOGIN_DENIED || reply_code == 535 || reply_code == 534 ||
        reply_code == 530)
        return SenderProblem::authentication;
    // Before any transaction began: nothing of the email left.
    if (transfer == CURLE_COULDNT_CONNECT || transfer == CURLE_COULDNT_RESOLVE_HOST)
        return SenderProblem::connection;
    return SenderProblem::none;
}

std::unique_ptr<CurlTransfer> smtp_transfer(SmtpSettings settings, OutboundEmail email,
                                            std::size_t index,
                                            std::shared_ptr<const SendCallback> done) {
    return std::make_unique<SmtpTransfer>(std::move(settings), std::move(email), index,
                                          std::move(done));
}

RelayFeedback smtp_feedback(CURLcode transfer, long reply_code) {
    if (transfer == CURLE_OK) return RelayFeedback::accepted;
    if (reply_code == 421) return RelayFeedback::congested;
    if (transfer == CURLE_COULDNT_CONNECT || transfer == CURLE_OPERATION_TIMEDOUT)
        return RelayFeedback::congested;
    return RelayFeedback::neutral;
}

SmtpSender::SmtpSender(SmtpSettings settings)
    : settings_(std::move(settings)),
      relay_(settings_.url + " as " +
             (settings_.username.empty() ? "(no login)" : settings_.username)),
      // One lane per connection: libcurl blocks its multi handle while it waits
      // for the reply to the end of DATA (curl_multi_loop.hpp).
      loop_("smtp", settings_.max_connections, settings_.max_connections) {}

SmtpSender::~SmtpSender() = default;

SendResult SmtpSender::send(const OutboundEmail& email) {
    return send_and_wait(*this, email);
}

void SmtpSender::send_many(std::vector<OutboundEmail> emails, SendCallback done) {
    loop_.submit(relay_,
                 transfers_for<SmtpTransfer>(settings_, std::move(emails), std::move(done)));
}

}  // namespace pf::adapters
