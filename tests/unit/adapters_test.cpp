#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "adapters/file_sender.hpp"
#include "adapters/http_sender.hpp"
#include "adapters/log_sender.hpp"
#include "adapters/mime_message.hpp"
#include "adapters/pending_sends.hpp"
#include "adapters/relay_window.hpp"
#include "adapters/smtp_sender.hpp"
#include "adapters/template_renderer.hpp"

using namespace pf::adapters;

namespace {

OutboundEmail email_with_id(std::string id) {
    OutboundEmail email;
    email.message_id = std::move(id);
    email.rfc_message_id = email.message_id + "@mail.example";
    email.from_email = "camille@atelier.example";
    email.to_email = "elodie@client.example";
    email.subject = "Bonjour";
    email.mime = "Subject: Bonjour\r\n\r\nCorps\r\n";
    return email;
}

std::vector<OutboundEmail> numbered_emails(std::size_t count, const std::string& prefix = "m") {
    std::vector<OutboundEmail> emails;
    for (std::size_t i = 0; i < count; ++i)
        emails.push_back(email_with_id(prefix + std::to_string(i)));
    return emails;
}

// An adapter that only has send(), as `file` does: the default send_many.
class ScriptedSender final : public SendAdapter {
  public:
    std::string_view name() const override { return "scripted"; }
    SendResult send(const OutboundEmail& email) override {
        order.push_back(email.message_id);
        if (email.message_id == "boom") throw std::runtime_error("disk on fire");
        return SendResult::sent("s-" + email.message_id);
    }
    std::vector<std::string> order;
};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("file sender writes one .eml per message, byte for byte, and a retry rewrites it") {
    const auto dir = std::filesystem::temp_directory_path() / "pf-file-sender-test";
    std::filesystem::remove_all(dir);
    FileSender sender(dir / "outbox");
    const auto email = email_with_id("4f9c2a7e-0000-4000-8000-000000000001");
    const auto result = sender.send(email);
    CHECK(result.outcome == SendOutcome::sent);
    CHECK(read_file(dir / "outbox" / (email.message_id + ".eml")) == email.mime);

    CHECK(sender.send(email).outcome == SendOutcome::sent);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir / "outbox"))
        ++files;
    CHECK(files == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("file sender refuses ids that would escape its directory, and empty messages") {
    const auto dir = std::filesystem::temp_directory_path() / "pf-file-sender-test2";
    FileSender sender(dir);
    CHECK(sender.send(email_with_id("../escape")).outcome == SendOutcome::permanent_failure);
    auto empty = email_with_id("abc");
    empty.mime.clear();
    const auto result = sender.send(empty);
    CHECK(result.outcome == SendOutcome::permanent_failure);
    CHECK(result.reason.find("MIME") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("file sender names an unusable directory") {
    CHECK_THROWS_WITH_AS(FileSender("/proc/pf-cannot-exist/outbox"),
                         doctest::Contains("adapters.file.dir"), std::runtime_error);
}

TEST_CASE("log sender sends nothing and counts") {
    LogSender sender;
    CHECK(sender.send(email_with_id("x1")).outcome == SendOutcome::sent);
    CHECK(sender.send(email_with_id("x2")).outcome == SendOutcome::sent);
    CHECK(sender.sent_count() == 2);
}

TEST_CASE("send_many by default: send() for each email in order on the caller's thread") {
    ScriptedSender sender;
    auto emails = numbered_emails(2);
    emails.insert(emails.begin() + 1, email_with_id("boom"));
    std::vector<std::pair<std::size_t, SendResult>> seen;
    const auto caller = std::this_thread::get_id();
    bool same_thread = true;
    sender.send_many(emails, [&](std::size_t i, SendResult r) {
        same_thread = same_thread && std::this_thread::get_id() == caller;
        seen.emplace_back(i, std::move(r));
    });
    CHECK(same_thread);
    CHECK(sender.order == std::vector<std::string>{"m0", "boom", "m1"});
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].first == 0);
    CHECK(seen[0].second.provider_message_id == "s-m0");
    // An exception is that email's transient failure; the batch goes on.
    CHECK(seen[1].first == 1);
    CHECK(seen[1].second.outcome == SendOutcome::transient_failure);
    CHECK(seen[1].second.reason == "adapter error: disk on fire");
    CHECK(seen[2].first == 2);
    CHECK(seen[2].second.outcome == SendOutcome::sent);
}

TEST_CASE("pending sends: results by index from any thread, ready once all are in") {
    auto pending = std::make_shared<PendingSends>(3);
    auto done = pending->callback();
    CHECK_FALSE(pending->ready());
    std::thread([done] { done(2, SendResult::permanent("550 no such user")); }).join();
    done(0, SendResult::sent("a"));
    CHECK_FALSE(pending->ready());
    done(0, SendResult::sent("reported twice: ignored"));
    done(7, SendResult::sent("no such email: ignored"));
    CHECK_FALSE(pending->ready());
    std::thread late([done] { done(1, SendResult::transient("451 later")); });
    const auto results = pending->wait();  // blocks until the thread has reported
    late.join();
    CHECK(pending->ready());
    REQUIRE(results.size() == 3);
    CHECK(results[0].provider_message_id == "a");
    CHECK(results[1].outcome == SendOutcome::transient_failure);
    CHECK(results[2].reason == "550 no such user");

    CHECK(std::make_shared<PendingSends>(0)->ready());
    // The callback keeps its PendingSends alive after the caller let go.
    auto orphan = std::make_shared<PendingSends>(1);
    auto orphan_done = orphan->callback();
    std::weak_ptr<PendingSends> watch = orphan;
    orphan.reset();
    CHECK_FALSE(watch.expired());
    orphan_done(0, SendResult::sent());
    orphan_done = nullptr;
    CHECK(watch.expired());
}

TEST_CASE("log sender with latency: send_many returns at once, all results come later") {
    // An hour: nothing can be due before the checks below, whatever the load.
    std::vector<std::shared_ptr<PendingSends>> batches;
    {
        LogSender sender(std::chrono::hours(1));
        for (int b = 0; b < 2; ++b) {
            batches.push_back(std::make_shared<PendingSends>(50));
            sender.send_many(numbered_emails(50, "b" + std::to_string(b) + "-"),
                             batches.back()->callback());
            CHECK_FALSE(batches.back()->ready());
        }
        CHECK(sender.sent_count() == 0);
    }  // the destructor completes what is still waiting: every email gets its callback
    for (int b = 0; b < 2; ++b) {
        REQUIRE(batches[b]->ready());
        const auto results = batches[b]->wait();
        REQUIRE(results.size() == 50);
        for (std::size_t i = 0; i < results.size(); ++i) {
            CHECK(results[i].outcome == SendOutcome::sent);
            CHECK(results[i].provider_message_id ==
                  "log-b" + std::to_string(b) + "-" + std::to_string(i));
        }
    }
}

TEST_CASE("log sender with latency: a batch completes on the timer thread") {
    LogSender sender(std::chrono::milliseconds(20));
    auto pending = std::make_shared<PendingSends>(50);
    std::mutex mutex;
    std::set<std::thread::id> threads;
    auto collect = pending->callback();
    sender.send_many(numbered_emails(50), [&, collect](std::size_t i, SendResult r) {
        {
            std::lock_guard lock(mutex);
            threads.insert(std::this_thread::get_id());
        }
        collect(i, std::move(r));
    });
    const auto results = pending->wait();
    REQUIRE(results.size() == 50);
    for (std::size_t i = 0; i < results.size(); ++i)
        CHECK(results[i].provider_message_id == "log-m" + std::to_string(i));
    CHECK(sender.sent_count() == 50);
    std::lock_guard lock(mutex);
    CHECK(threads.size() == 1);
    CHECK_FALSE(threads.contains(std::this_thread::get_id()));
    // Without latency a batch completes inline, before send_many returns.
    LogSender instant;
    auto now = std::make_shared<PendingSends>(3);
    instant.send_many(numbered_emails(3), now->callback());
    CHECK(now->ready());
}

TEST_CASE("relay window: halve on congestion down to 1, one back per delivery") {
    auto relay = open_relay_window(16);
    CHECK(relay.window == 16);
    CHECK(relay.in_flight == 0);
    for (int i = 0; i < 16; ++i) {
        REQUIRE(has_room(relay));
        note_started(relay);
    }
    CHECK_FALSE(has_room(relay));  // the 17th waits its turn
    note_finished(relay, RelayFeedback::congested);
    CHECK(relay.window == 8);
    CHECK(relay.in_flight == 15);
    CHECK_FALSE(has_room(relay));  // 15 still in flight for a window of 8
    note_finished(relay, RelayFeedback::congested);
    note_finished(relay, RelayFeedback::congested);
    note_finished(relay, RelayFeedback::congested);
    CHECK(relay.window == 1);
    note_finished(relay, RelayFeedback::congested);
    CHECK(relay.window == 1);                      // never below one: the relay is still tried
    note_finished(relay, RelayFeedback::neutral);  // a 550 for one mailbox says nothing
    CHECK(relay.window == 1);
    CHECK(relay.in_flight == 10);
    for (int i = 0; i < 10; ++i) note_finished(relay, RelayFeedback::accepted);
    CHECK(relay.in_flight == 0);
    CHECK(relay.window == 11);
    for (int i = 0; i < 10; ++i) {
        note_started(relay);
        note_finished(relay, RelayFeedback::accepted);
    }
    CHECK(relay.window == 16);  // capped at max_connections
    CHECK(open_relay_window(0).window == 1);

    CHECK(smtp_feedback(CURLE_OK, 250) == RelayFeedback::accepted);
    CHECK(smtp_feedback(CURLE_SEND_ERROR, 421) == RelayFeedback::congested);
    CHECK(smtp_feedback(CURLE_WEIRD_SERVER_REPLY, 421) == RelayFeedback::congested);
    CHECK(smtp_feedback(CURLE_COULDNT_CONNECT, 0) == RelayFeedback::congested);
    CHECK(smtp_feedback(CURLE_OPERATION_TIMEDOUT, 0) == RelayFeedback::congested);
    CHECK(smtp_feedback(CURLE_SEND_ERROR, 451) == RelayFeedback::neutral);
    CHECK(smtp_feedback(CURLE_SEND_ERROR, 550) == RelayFeedback::neutral);
    CHECK(smtp_feedback(CURLE_LOGIN_DENIED, 535) == RelayFeedback::neutral);
    CHECK(http_feedback(CURLE_OK, 202) == RelayFeedback::accepted);
    CHECK(http_feedback(CURLE_OK, 429) == RelayFeedback::congested);
    CHECK(http_feedback(CURLE_OK, 503) == RelayFeedback::congested);
    CHECK(http_feedback(CURLE_OK, 500) == RelayFeedback::neutral);
    CHECK(http_feedback(CURLE_OK, 400) == RelayFeedback::neutral);
    CHECK(http_feedback(CURLE_COULDNT_CONNECT, 0) == RelayFeedback::congested);
    CHECK(http_feedback(CURLE_OPERATION_TIMEDOUT, 0) == RelayFeedback::congested);
    CHECK(http_feedback(CURLE_SSL_CONNECT_ERROR, 0) == RelayFeedback::neutral);
}

TEST_CASE("templates: Mustache variables and sections, strict about missing values") {
    using pf::adapters::Escaping;
    using pf::adapters::render_template;
    using pf::adapters::TemplateError;
    const pf::adapters::TemplateVariables vars{{"person.first_name", "Zoé"},
                                               {"position.title", ""},
                                               {"company.name", "Dupont & Fils <SAS>"}};
    CHECK(render_template("Bonjour {{person.first_name}}", vars) == "Bonjour Zoé");
    CHECK(render_template("{{ person.first_name }}, {{company.name}}", vars) ==
          "Zoé, Dupont & Fils <SAS>");
    // HTML parts escape variables; triple braces and & do not.
    CHECK(render_template("{{company.name}}", vars, Escaping::html) ==
          "Dupont &amp; Fils &lt;SAS&gt;");
    CHECK(render_template("{{{company.name}}}|{{& company.name}}", vars, Escaping::html) ==
          "Dupont & Fils <SAS>|Dupont & Fils <SAS>");
    // Sections guard optional facts; inverted sections give a fallback.
    CHECK(render_template("Bonjour{{#position.title}} ({{position.title}}){{/position.title}}.",
                          vars) == "Bonjour.");
    CHECK(render_template("{{^position.title}}sans titre{{/position.title}}", vars) ==
          "sans titre");
    CHECK(render_template("{{#company.name}}chez {{company.name}}{{/company.name}}", vars) ==
          "chez Dupont & Fils <SAS>");
    CHECK(render_template("a{{! a comment }}b", vars) == "ab");
    const auto error_of = [&](const char* text) {
        try {
            render_template(text, vars);
        } catch (const TemplateError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error_of("Poste : {{position.title}}").find("missing variable 'position.title'") !=
          std::string::npos);
    CHECK(error_of("{{#position.title}}{{person.nickname}}{{/position.title}}")
              .find("unknown variable 'person.nickname'") != std::string::npos);
    CHECK(error_of("{{#company.name}}x").find("section 'company.name' is never closed") !=
          std::string::npos);
    CHECK(error_of("{{#company.name}}x{{/person.first_name}}").find("closed by") !=
          std::string::npos);
    CHECK(error_of("{{> footer}}").find("partials are not supported") != std::string::npos);
    CHECK(error_of("{{=<% %>=}}").find("delimiter changes") != std::string::npos);
    CHECK(error_of("Bonjour {{person.first_name").find("never closed") != std::string::npos);
}

TEST_CASE("plain text becomes HTML paragraphs") {
    CHECK(pf::adapters::paragraphs_to_html("Bonjour,\n\nUne idée.\nÀ bientôt") ==
          "<p>Bonjour,</p>\n<p>Une idée.<br>\nÀ bientôt</p>");
}

TEST_CASE("MIME: headers, encoded words, threading, unsubscribe and multipart/alternative") {
    pf::adapters::MimeFields f;
    f.from_email = "claire@exemple.fr";
    f.from_name = "Claire Lefèvre";
    f.to_email = "zoe@prospect.fr";
    f.reply_to = "replies@exemple.fr";
    f.subject = "Re: Une idée pour Société Générale de Bâtiment, à étudier";
    f.body_text = "Bonjour Zoé,\n\nVoici une idée.";
    f.body_html = "<p>Bonjour Zoé,</p>\n<p>Voici une idée.</p>";
    f.message_id = "0b6e9c1e-1111-4111-8111-111111111111@exemple.fr";
    f.in_reply_to = "0b6e9c1e-0000-4000-8000-000000000000@exemple.fr";
    f.references = {*f.in_reply_to};
    f.unsubscribe_url = "https://t.exemple.fr/u/abc";
    f.unsubscribe_mailto = "unsubscribe@exemple.fr";
    f.date = std::chrono::sys_seconds{std::chrono::seconds{1795000000}};
    const auto m = pf::adapters::build_mime(f);
    CAPTURE(m);
    // Headers unfolded (RFC 5322 2.2.3) before looking for them.
    std::string unfolded;
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (m.compare(i, 3, "\r\n ") == 0 || m.compare(i, 3, "\r\n\t") == 0) {
            i += 1;
            continue;
        }
        unfolded += m[i];
    }
    const auto has = [&](const std::string& s) { return unfolded.find(s) != std::string::npos; };
    const auto line = [&](const std::string& name) {
        const auto at = unfolded.find("\r\n" + name + ": ");
        if (at == std::string::npos) return std::string();
        return unfolded.substr(at + 2, unfolded.find("\r\n", at + 2) - at - 2);
    };
    // Encoded words in UTF-8 where the text is not ASCII (GMime encodes only
    // the words that need it).
    CHECK(line("From").find("=?UTF-8?") != std::string::npos);
    CHECK(line("From").find("<claire@exemple.fr>") != std::string::npos);
    CHECK(line("Subject").rfind("Subject: Re: ", 0) == 0);
    CHECK(line("Subject").find("=?UTF-8?") != std::string::npos);
    CHECK(has("To: zoe@prospect.fr\r\n"));
    CHECK(has("Reply-To: replies@exemple.fr\r\n"));
    CHECK(has("Message-Id: <0b6e9c1e-1111-4111-8111-111111111111@exemple.fr>\r\n"));
    CHECK(has("In-Reply-To: <0b6e9c1e-0000-4000-8000-000000000000@exemple.fr>\r\n"));
    CHECK(has("References: <0b6e9c1e-0000-4000-8000-000000000000@exemple.fr>\r\n"));
    CHECK(
        has("List-Unsubscribe: <https://t.exemple.fr/u/abc>, <mailto:unsubscribe@exemple.fr>\r\n"));
    CHECK_FALSE(has("charset=iso-8859-1"));
    CHECK(has("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    CHECK(has("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"));
    CHECK(has("Content-Type: multipart/alternative"));
    CHECK(has("Content-Type: text/plain; charset=utf-8"));
    CHECK(has("Content-Type: text/html; charset=utf-8"));
    CHECK(has("Content-Transfer-Encoding: quoted-printable"));
    CHECK(has("Bonjour Zo=C3=A9,"));
    // Every line ends in CRLF and none is longer than RFC 5322's 998.
    std::size_t start = 0;
    for (std::size_t nl; (nl = m.find('\n', start)) != std::string::npos; start = nl + 1) {
        CHECK(nl > 0);
        CHECK(m[nl - 1] == '\r');
        CHECK(nl - start <= 998);
    }
}

TEST_CASE("http adapter: status mapping and the signature a receiver recomputes") {
    using pf::adapters::http_outcome;
    using pf::adapters::SendOutcome;
    CHECK(http_outcome(200) == SendOutcome::sent);
    CHECK(http_outcome(202) == SendOutcome::sent);
    CHECK(http_outcome(400) == SendOutcome::permanent_failure);
    CHECK(http_outcome(422) == SendOutcome::permanent_failure);
    CHECK(http_outcome(408) == SendOutcome::transient_failure);
    CHECK(http_outcome(429) == SendOutcome::transient_failure);
    CHECK(http_outcome(500) == SendOutcome::transient_failure);
    CHECK(http_outcome(503) == SendOutcome::transient_failure);
    CHECK(pf::adapters::smtp_outcome(250) == SendOutcome::sent);
    CHECK(pf::adapters::smtp_outcome(451) == SendOutcome::transient_failure);
    CHECK(pf::adapters::smtp_outcome(550) == SendOutcome::permanent_failure);
    // Cross-checked with Python: hmac.new(secret, b"<ts>.<body>", hashlib.sha256).hexdigest()
    CHECK(pf::adapters::http_signature("relay-shared-secret", "1795000000", R"({"to":"z@x.fr"})") ==
          "69941813bd86e3ba5ce6af8c93c8df4eab1889e7c0ee5012a30f0b073a4ceaf4");
}

TEST_CASE("routing: the first rule matching campaign, sender address or domain picks the adapter") {
    using namespace pf::adapters;
    std::map<std::string, std::unique_ptr<SendAdapter>> adapters;
    adapters["smtp"] = std::make_unique<LogSender>();
    adapters["http"] = std::make_unique<LogSender>();
    adapters["file"] = std::make_unique<LogSender>();
    auto* smtp = adapters["smtp"].get();
    auto* http = adapters["http"].get();
    auto* file = adapters["file"].get();
    RoutingSender router({{"c-1", "", "", "file"},
                          {"", "Ceo@Big.example", "", "smtp"},
                          {"", "", "relay.example", "http"}},
                         "smtp", std::move(adapters));
    OutboundEmail e;
    e.campaign_id = "c-1";
    e.from_email = "anyone@relay.example";
    CHECK(&router.route(e) == file);  // the campaign rule comes first
    e.campaign_id = "c-2";
    CHECK(&router.route(e) == http);
    e.from_email = "ceo@big.example";
    CHECK(&router.route(e) == smtp);
    e.from_email = "someone@else.example";
    CHECK(&router.route(e) == smtp);  // the default
    CHECK(router.name() == "smtp+file+http");
    std::map<std::string, std::unique_ptr<SendAdapter>> none;
    none["smtp"] = std::make_unique<LogSender>();
    CHECK_THROWS_AS(RoutingSender({{"c", "", "", "http"}}, "smtp", std::move(none)),
                    std::invalid_argument);
}

TEST_CASE("routing: send_many splits by route and reports the caller's indexes") {
    using namespace pf::adapters;
    std::map<std::string, std::unique_ptr<SendAdapter>> adapters;
    adapters["smtp"] = std::make_unique<LogSender>();
    adapters["http"] = std::make_unique<LogSender>(std::chrono::milliseconds(5));  // asynchronous
    adapters["file"] = std::make_unique<ScriptedSender>();
    auto* smtp = static_cast<LogSender*>(adapters["smtp"].get());
    auto* http = static_cast<LogSender*>(adapters["http"].get());
    auto* file = static_cast<ScriptedSender*>(adapters["file"].get());
    RoutingSender router({{"c-file", "", "", "file"}, {"", "", "relay.example", "http"}}, "smtp",
                         std::move(adapters));
    std::vector<OutboundEmail> emails;
    std::vector<std::string> prefix;  // what each email's provider id starts with
    for (int i = 0; i < 12; ++i) {
        auto e = email_with_id("r" + std::to_string(i));
        if (i % 3 == 0) {
            e.campaign_id = "c-file";
            prefix.push_back("s-");
        } else if (i % 3 == 1) {
            e.from_email = "x@relay.example";
            prefix.push_back("log-");
        } else {
            prefix.push_back("log-");
        }
        emails.push_back(e);
    }
    auto pending = std::make_shared<PendingSends>(emails.size());
    router.send_many(emails, pending->callback());
    const auto results = pending->wait();
    for (std::size_t i = 0; i < results.size(); ++i) {
        CAPTURE(i);
        CHECK(results[i].provider_message_id == prefix[i] + emails[i].message_id);
    }
    CHECK(file->order == std::vector<std::string>{"r0", "r3", "r6", "r9"});
    CHECK(http->sent_count() == 4);
    CHECK(smtp->sent_count() == 4);
    auto none = std::make_shared<PendingSends>(0);
    router.send_many({}, none->callback());
    CHECK(none->ready());
}

TEST_CASE("idempotency: the http adapter is, log is not, and routing asks the email's route") {
    using namespace pf::adapters;
    std::map<std::string, std::unique_ptr<SendAdapter>> adapters;
    adapters["log"] = std::make_unique<LogSender>();
    HttpSettings http;
    http.url = "http://127.0.0.1:1/send";
    adapters["http"] = std::make_unique<HttpSender>(http);
    RoutingSender router({{"c-http", "", "", "http"}}, "log", std::move(adapters));
    OutboundEmail e;
    e.campaign_id = "c-http";
    CHECK(router.idempotent(e));  // Idempotency-Key: a resend is delivered once
    e.campaign_id = "c-other";
    CHECK_FALSE(router.idempotent(e));
    CHECK_FALSE(LogSender().idempotent(e));
}
