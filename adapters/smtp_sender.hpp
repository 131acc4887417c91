#pragma once
// The `smtp` adapter (libcurl): one message per SMTP transaction, many
// transactions at once over connections kept open between messages
// (libcurl's multi interface, curl_multi_loop.hpp, with one lane per
// connection: libcurl waits for the reply to the end of DATA in a blocking
// call, so one lane cannot overlap two transactions' final replies). smtp://
// with STARTTLS (required, or off) or smtps:// (implicit TLS); AUTH when a
// user name is set; connect and total timeouts.
// The server's last reply decides: 2xx sent (its "queued as" text is the
// provider id), 4xx transient, 5xx permanent; network errors and timeouts
// are transient. A 421 or a connection that fails or times out also halves
// how many transactions the relay gets at once (relay_window.hpp).

#include <memory>
#include <string>
#include <vector>

#include "adapters/curl_multi_loop.hpp"
#include "adapters/send_adapter.hpp"

namespace pf::adapters {

struct SmtpSettings {
    std::string url = "smtp://127.0.0.1:25";  // smtp://host:port or smtps://host:port
    bool starttls = true;                     // smtp:// only: require STARTTLS before anything else
    std::string username, password;
    std::string oauth_bearer;  // SASL XOAUTH2 / OAUTHBEARER with `username` instead of a password
    std::string ca_file;       // extra CA bundle (a private relay's certificate)
    std::string helo_domain;   // EHLO name; empty: libcurl's default
    long connect_timeout_ms = 10000;
    long timeout_ms = 60000;   // per transaction, from its start (not its wait for room)
    int max_connections = 16;  // transactions (and connections) to the relay at once
};

class SmtpSender final : public SendAdapter {
  public:
    // Starts the adapter's loop (max_connections threads, idle until there is
    // work); throws std::runtime_error when libcurl cannot.
    explicit SmtpSender(SmtpSettings settings);
    ~SmtpSender() override;
    std::string_view name() const override { return "smtp"; }
    // send_many with one email, waited for.
    SendResult send(const OutboundEmail& email) override;
    void send_many(std::vector<OutboundEmail> emails, SendCallback done) override;

  private:
    SmtpSettings settings_;
    std::string relay_;   // the relay's key for its concurrency window: URL and user name
    CurlMultiLoop loop_;  // after settings_: its transfers read them until it stops
};

// What an SMTP reply code means for the message.
SendOutcome smtp_outcome(long reply_code);
// Whether a failed transaction is the account's (a refused login, a server
// that could not be reached) rather than the email's.
SenderProblem smtp_sender_problem(CURLcode transfer, long reply_code);

// One message, one SMTP transaction, with its own copy of the account's
// settings (a mailbox's login differs from the next email's).
std::unique_ptr<CurlTransfer> smtp_transfer(SmtpSettings settings, OutboundEmail email,
                                            std::size_t index,
                                            std::shared_ptr<const SendCallback> done);
// What a finished transaction says about the relay: 2xx accepted; 421
// (RFC 5321 4.2.3, the server is closing the channel) or a connection
// refused or timed out: congested; anything else concerns this email only.
RelayFeedback smtp_feedback(CURLcode transfer, long reply_code);

}  // namespace pf::adapters
