// The smtp and http adapters' send_many against real servers on loopback,
// started by tests/shell/adapters_concurrency.sh: tests/shell/smtp_sink.py
// (aiosmtpd, STARTTLS and AUTH) and tests/shell/http_relay.py, each holding
// every message a moment (--delay) so that concurrent transfers overlap, and
// logging how many were in progress at once. Their ports and logs come from
// the environment. No assertion depends on how long anything took.

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/http_sender.hpp"
#include "adapters/pending_sends.hpp"
#include "adapters/smtp_sender.hpp"

using namespace pf::adapters;
using nlohmann::json;

namespace {

constexpr int kMaxConnections = 8;
constexpr std::size_t kEmails = 40;

std::string env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value)
        throw std::runtime_error(std::string(name) + " is not set: run adapters_concurrency.sh");
    return value;
}

SmtpSettings smtp_settings(const char* port_variable, int max_connections = kMaxConnections) {
    SmtpSettings s;
    s.url = "smtp://127.0.0.1:" + env(port_variable);
    s.starttls = true;
    s.ca_file = env("PF_SMTP_CA");
    s.username = env("PF_SMTP_USER");
    s.password = env("PF_SMTP_PASSWORD");
    s.max_connections = max_connections;
    return s;
}

HttpSettings http_settings(const char* port_variable) {
    HttpSettings s;
    s.url = "http://127.0.0.1:" + env(port_variable) + "/v1/send";
    s.signing_secret = env("PF_HTTP_SECRET");
    s.max_connections = kMaxConnections;
    return s;
}

// Recipients <tag>-<i>@prospects.example: the servers' logs are shared by
// the cases, each counts its own tag.
std::vector<OutboundEmail> emails_for(const std::string& tag, const std::string& from_domain,
                                      std::size_t count = kEmails) {
    std::vector<OutboundEmail> emails;
    for (std::size_t i = 0; i < count; ++i) {
        OutboundEmail e;
        e.message_id = tag + "-" + std::to_string(i);
        e.rfc_message_id = e.message_id + "@" + from_domain;
        e.from_email = "camille@" + from_domain;
        e.to_email = e.message_id + "@prospects.example";
        e.subject = "Bonjour " + std::to_string(i);
        e.mime = "From: " + e.from_email + "\r\nTo: " + e.to_email + "\r\nSubject: " + e.subject +
                 "\r\nMessage-ID: <" + e.rfc_message_id + ">\r\n\r\nCorps\r\n";
        emails.push_back(std::move(e));
    }
    return emails;
}

std::vector<SendResult> send_and_wait(SendAdapter& adapter, std::vector<OutboundEmail> emails) {
    auto pending = std::make_shared<PendingSends>(emails.size());
    adapter.send_many(std::move(emails), pending->callback());
    return pending->wait();
}

// The server's log lines for one case's recipients (tag-*), by recipient.
std::map<std::string, std::vector<json>> logged(const char* log_variable, const std::string& tag) {
    std::map<std::string, std::vector<json>> by_recipient;
    std::ifstream in(env(log_variable));
    for (std::string line; std::getline(in, line);) {
        const auto entry = json::parse(line);
        const auto to = entry.contains("rcpt_tos") ? entry["rcpt_tos"][0].get<std::string>()
                                                   : entry["to"].get<std::string>();
        if (to.rfind(tag + "-", 0) == 0) by_recipient[to].push_back(entry);
    }
    return by_recipient;
}

struct Concurrency {
    int peak = 0;
    int first = 0;  // of the first message accepted, in the server's order
};

Concurrency concurrency_of(const std::map<std::string, std::vector<json>>& by_recipient) {
    Concurrency c;
    long first_n = -1;
    for (const auto& [to, entries] : by_recipient) {
        for (const auto& e : entries) {
            if (e.value("busy", false)) continue;
            c.peak = std::max(c.peak, e["concurrent"].get<int>());
            if (first_n < 0 || e["n"].get<long>() < first_n) {
                first_n = e["n"].get<long>();
                c.first = e["concurrent"].get<int>();
            }
        }
    }
    return c;
}

// Every email of the batch reached the server exactly once (busy refusals
// aside: those were answered, not delivered).
void check_delivered_once(const std::map<std::string, std::vector<json>>& by_recipient,
                          const std::vector<OutboundEmail>& emails,
                          const std::vector<SendResult>& results) {
    for (std::size_t i = 0; i < emails.size(); ++i) {
        CAPTURE(emails[i].to_email);
        std::size_t delivered = 0;
        if (auto it = by_recipient.find(emails[i].to_email); it != by_recipient.end())
            for (const auto& e : it->second) delivered += !e.value("busy", false);
        CHECK(delivered == (results[i].outcome == SendOutcome::sent ? 1u : 0u));
    }
}

}  // namespace

TEST_CASE("smtp: send_many keeps many transactions in flight, at most max_connections") {
    SmtpSender smtp(smtp_settings("PF_SMTP_PORT"));
    const auto emails = emails_for("smtp-many", "atelier.example");
    const auto results = send_and_wait(smtp, emails);
    REQUIRE(results.size() == kEmails);
    for (const auto& r : results) {
        CHECK(r.outcome == SendOutcome::sent);
        CHECK(r.provider_message_id.rfind("250 2.0.0 Ok: queued as SINK", 0) == 0);
    }
    const auto log = logged("PF_SMTP_LOG", "smtp-many");
    CHECK(log.size() == kEmails);
    check_delivered_once(log, emails, results);
    const auto c = concurrency_of(log);
    std::set<long> connections;
    for (const auto& [to, entries] : log)
        for (const auto& e : entries) {
            connections.insert(e["connection"].get<long>());
            CHECK(e["tls"].get<bool>());
            CHECK(e["auth"].get<bool>());
        }
    MESSAGE("peak ", c.peak, " transactions at once over ", connections.size(), " connections");
    CHECK(c.peak > 1);
    CHECK(c.peak <= kMaxConnections);
    // Connections are kept and reused: never more than could be open at once.
    CHECK(connections.size() <= static_cast<std::size_t>(kMaxConnections));
    // send() still works, through the same loop.
    CHECK(smtp.send(emails_for("smtp-one", "atelier.example", 1)[0]).outcome == SendOutcome::sent);
}

TEST_CASE("http: send_many keeps many requests in flight, at most max_connections") {
    HttpSender http(http_settings("PF_HTTP_PORT"));
    const auto emails = emails_for("http-many", "atelier.example");
    const auto results = send_and_wait(http, emails);
    REQUIRE(results.size() == kEmails);
    for (const auto& r : results) {
        CHECK(r.outcome == SendOutcome::sent);
        CHECK(r.provider_message_id.rfind("relay-", 0) == 0);
    }
    const auto log = logged("PF_HTTP_LOG", "http-many");
    CHECK(log.size() == kEmails);
    check_delivered_once(log, emails, results);
    for (const auto& [to, entries] : log) {
        CHECK(entries.front()["signature_ok"].get<bool>());
        CHECK(entries.front()["idempotency_key"] == entries.front()["message_id"]);
    }
    const auto c = concurrency_of(log);
    MESSAGE("peak ", c.peak, " requests at once");
    CHECK(c.peak > 1);
    CHECK(c.peak <= kMaxConnections);
}

namespace {

// One send_many over two relays at once: `busy`'s emails (from busy.example)
// and `calm`'s, interleaved. The busy server refuses its first
// kMaxConnections transactions, that is the whole first wave.
struct TwoRelays {
    std::vector<OutboundEmail> busy, calm;
    std::vector<SendResult> busy_results, calm_results;
};

TwoRelays send_to_two_relays(std::unique_ptr<SendAdapter> busy, std::unique_ptr<SendAdapter> calm,
                             const std::string& tag) {
    std::map<std::string, std::unique_ptr<SendAdapter>> adapters;
    adapters["busy"] = std::move(busy);
    adapters["calm"] = std::move(calm);
    RoutingSender router({{"", "", "busy.example", "busy"}}, "calm", std::move(adapters));
    TwoRelays out;
    out.busy = emails_for(tag + "-busy", "busy.example");
    out.calm = emails_for(tag + "-calm", "calm.example");
    std::vector<OutboundEmail> emails;
    for (std::size_t i = 0; i < kEmails; ++i) {
        emails.push_back(out.calm[i]);
        emails.push_back(out.busy[i]);
    }
    const auto results = send_and_wait(router, std::move(emails));
    for (std::size_t i = 0; i < kEmails; ++i) {
        out.calm_results.push_back(results[2 * i]);
        out.busy_results.push_back(results[2 * i + 1]);
    }
    return out;
}

// The busy relay's first wave came back transient with its refusal; the
// rest were delivered once each. The loop halved the window once per
// refusal: by the last one it was 1, so the first message the relay took
// after them was alone. The calm relay, at the same time, had its full
// window.
void check_two_relays(const TwoRelays& sent, const char* busy_log, const char* calm_log,
                      const std::string& tag, const std::string& refusal) {
    for (std::size_t i = 0; i < kEmails; ++i) {
        CAPTURE(i);
        CAPTURE(sent.busy_results[i].reason);
        if (i < static_cast<std::size_t>(kMaxConnections)) {
            CHECK(sent.busy_results[i].outcome == SendOutcome::transient_failure);
            CHECK(sent.busy_results[i].reason.find(refusal) != std::string::npos);
        } else {
            CHECK(sent.busy_results[i].outcome == SendOutcome::sent);
        }
        CHECK(sent.calm_results[i].outcome == SendOutcome::sent);
    }
    const auto busy = logged(busy_log, tag + "-busy");
    const auto calm = logged(calm_log, tag + "-calm");
    check_delivered_once(busy, sent.busy, sent.busy_results);
    check_delivered_once(calm, sent.calm, sent.calm_results);
    const auto b = concurrency_of(busy);
    const auto c = concurrency_of(calm);
    MESSAGE("busy relay: first accepted with ", b.first, " at once, peak ", b.peak,
            "; calm relay: peak ", c.peak);
    CHECK(b.first == 1);
    CHECK(b.peak <= kMaxConnections);
    CHECK(c.peak == kMaxConnections);
}

}  // namespace

TEST_CASE("smtp: a relay answering 421 is slowed down, another relay at the same time is not") {
    const auto sent =
        send_to_two_relays(std::make_unique<SmtpSender>(smtp_settings("PF_SMTP_BUSY_PORT")),
                           std::make_unique<SmtpSender>(smtp_settings("PF_SMTP_PORT")), "smtp");
    check_two_relays(sent, "PF_SMTP_BUSY_LOG", "PF_SMTP_LOG", "smtp", "421");
}

TEST_CASE("http: a relay answering 503 is slowed down, another relay at the same time is not") {
    const auto sent =
        send_to_two_relays(std::make_unique<HttpSender>(http_settings("PF_HTTP_BUSY_PORT")),
                           std::make_unique<HttpSender>(http_settings("PF_HTTP_PORT")), "http");
    check_two_relays(sent, "PF_HTTP_BUSY_LOG", "PF_HTTP_LOG", "http", ": 503");
}

TEST_CASE("smtp: an adapter destroyed with a batch under way reports every email once") {
    auto pending = std::make_shared<PendingSends>(kEmails);
    std::promise<void> first_result;
    std::once_flag once;
    auto collect = pending->callback();
    const auto emails = emails_for("smtp-stop", "atelier.example");
    {
        SmtpSender smtp(smtp_settings("PF_SMTP_PORT", 2));
        smtp.send_many(emails, [&, collect](std::size_t i, SendResult r) {
            collect(i, std::move(r));
            std::call_once(once, [&] { first_result.set_value(); });
        });
        // Once one is done the lanes are on the next ones: the destructor
        // finds transactions under way and many never started.
        first_result.get_future().wait();
    }  // transactions under way finish; the rest fail at once
    REQUIRE(pending->ready());
    const auto results = pending->wait();
    std::size_t sent = 0;
    for (const auto& r : results) {
        if (r.outcome == SendOutcome::sent) {
            ++sent;
        } else {
            CHECK(r.outcome == SendOutcome::transient_failure);
            CHECK(r.reason == "smtp: not sent: the adapter is shutting down");
        }
    }
    MESSAGE(sent, " of ", kEmails, " were done or under way, and finished");
    CHECK(sent >= 1);
    CHECK(sent < kEmails);
    // Those reported sent reached the server once; the others never did.
    check_delivered_once(logged("PF_SMTP_LOG", "smtp-stop"), emails, results);
}
