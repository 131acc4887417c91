// The inbound service's pure helpers: a mailbox's IMAP endpoint from its
// row, and the key of a message without a Message-ID.
#include <doctest/doctest.h>

#include "daemon/inbound_sink.hpp"

using pf::adapters::ImapSecurity;

namespace {

pf::db::InboundMailboxRow mailbox(const std::string& url, const std::string& security) {
    pf::db::InboundMailboxRow m;
    m.email = "sales@acme.test";
    m.imap_url = url;
    m.imap_security = security;
    return m;
}

}  // namespace

TEST_CASE("inbound: a mailbox's IMAP endpoint from imap_url and imap_security") {
    pf::daemon::InboundConfig config;
    config.ca_file = "/etc/ca.pem";
    config.connect_timeout_seconds = 7;
    const auto tls =
        pf::daemon::imap_endpoint(mailbox("imaps://imap.gmail.com", "starttls"), config);
    CHECK(tls.host == "imap.gmail.com");
    CHECK(tls.port == 993);
    CHECK(tls.security == ImapSecurity::tls);  // imaps:// is TLS whatever imap_security says
    CHECK(tls.ca_file == "/etc/ca.pem");
    CHECK(tls.timeout == std::chrono::seconds(7));
    const auto starttls =
        pf::daemon::imap_endpoint(mailbox("imap://127.0.0.1:1143/", "starttls"), config);
    CHECK(starttls.host == "127.0.0.1");
    CHECK(starttls.port == 1143);
    CHECK(starttls.security == ImapSecurity::starttls);
    CHECK(pf::daemon::imap_endpoint(mailbox("imap://mx.example", "tls"), config).security ==
          ImapSecurity::tls);
    CHECK(pf::daemon::imap_endpoint(mailbox("imap://mx.example", "none"), config).security ==
          ImapSecurity::none);
    CHECK(pf::daemon::imap_endpoint(mailbox("imap://mx.example", "none"), config).port == 143);
    CHECK_THROWS_WITH_AS(pf::daemon::imap_endpoint(mailbox("pop3://mx.example", "tls"), config),
                         "imap_url 'pop3://mx.example' is not imap:// or imaps://",
                         std::invalid_argument);
}

TEST_CASE("inbound: a message without a Message-ID is keyed by its bytes") {
    const auto a = pf::daemon::content_key("From: a@b\r\n\r\nhello");
    CHECK(a == pf::daemon::content_key("From: a@b\r\n\r\nhello"));
    CHECK(a != pf::daemon::content_key("From: a@b\r\n\r\nhello!"));
    CHECK(a.rfind("sha256:", 0) == 0);
    CHECK(a.size() == 7 + 64);
    CHECK(pf::daemon::content_key("") ==
          "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
