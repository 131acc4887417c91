#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/file_sender.hpp"
#include "adapters/http_sender.hpp"
#include "adapters/log_sender.hpp"
#include "adapters/smtp_sender.hpp"
#include "adapters/mime_message.hpp"
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
    CHECK(render_template("Bonjour{{#position.title}} ({{position.title}}){{/position.title}}.", vars) ==
          "Bonjour.");
    CHECK(render_template("{{^position.title}}sans titre{{/position.title}}", vars) == "sans titre");
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
    CHECK(error_of("{{#company.name}}x{{/person.first_name}}").find("closed by") != std::string::npos);
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
    CHECK(has("List-Unsubscribe: <https://t.exemple.fr/u/abc>, <mailto:unsubscribe@exemple.fr>\r\n"));
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
    RoutingSender router({{"c-1", "", "", "file"}, {"", "Ceo@Big.example", "", "smtp"},
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
    CHECK_THROWS_AS(RoutingSender({{"c", "", "", "http"}}, "smtp", std::move(none)), std::invalid_argument);
}
