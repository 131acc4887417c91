#pragma once
// The `smtp` adapter (libcurl): one message per SMTP transaction over a
// connection kept open between messages (a small pool of handles, one per
// concurrent sender). smtp:// with STARTTLS (required, or off) or smtps://
// (implicit TLS); AUTH when a user name is set; connect and total timeouts.
// The server's last reply decides: 2xx sent (its "queued as" text is the
// provider id), 4xx transient, 5xx permanent; network errors and timeouts
// are transient.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/curl_pool.hpp"
#include "adapters/send_adapter.hpp"

namespace pf::adapters {

struct SmtpSettings {
    std::string url = "smtp://127.0.0.1:25";  // smtp://host:port or smtps://host:port
    bool starttls = true;  // smtp:// only: require STARTTLS before anything else
    std::string username, password;
    std::string ca_file;  // extra CA bundle (a private relay's certificate)
    std::string helo_domain;  // EHLO name; empty: libcurl's default
    long connect_timeout_ms = 10000;
    long timeout_ms = 60000;
};

class SmtpSender final : public SendAdapter {
  public:
    explicit SmtpSender(SmtpSettings settings);
    ~SmtpSender() override;
    std::string_view name() const override { return "smtp"; }
    SendResult send(const OutboundEmail& email) override;

  private:
    SmtpSettings settings_;
    CurlPool pool_;
};

// What an SMTP reply code means for the message.
SendOutcome smtp_outcome(long reply_code);

}  // namespace pf::adapters
