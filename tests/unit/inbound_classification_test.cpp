#include "scheduler/inbound_classification.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "adapters/inbound_parser.hpp"

using namespace date::literals;
using pf::adapters::DeliveryStatusField;
using pf::adapters::InboundFacts;
using pf::adapters::parse_inbound;
using pf::scheduler::classify_inbound;
using pf::scheduler::find_return_date;
using pf::scheduler::InboundKind;

namespace {

// The placeholders of tests/data/inbound/README.md, as a test fills them.
const std::string our_id = "pf.7f3a9c2e41d8@mail.atelier-lumen.fr";
const std::string our_subject = "Votre projet de refonte";
const std::string mailbox = "camille@atelier-lumen.fr";
const std::string recipient = "elodie.martin@client-exemple.fr";
const date::sys_days received = date::sys_days{2026_y / date::December / 2};

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(PF_SOURCE_DIR) + "/tests/data/inbound/" + name, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), name);
    std::ostringstream s;
    s << in.rdbuf();
    std::string raw = s.str();
    replace_all(raw, "{{OUR_MESSAGE_ID}}", our_id);
    replace_all(raw, "{{OUR_SUBJECT}}", our_subject);
    replace_all(raw, "{{MAILBOX}}", mailbox);
    replace_all(raw, "{{RECIPIENT}}", recipient);
    replace_all(raw, "{{DATE}}", "Wed, 02 Dec 2026 09:21:07 +0100");
    replace_all(raw, "{{UNIQUE}}", "u42x");
    REQUIRE(raw.find("{{") == std::string::npos);
    return raw;
}

bool has(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::optional<date::year_month_day> ymd(date::year_month_day d) {
    return d;
}

std::optional<date::year_month_day> on(std::string_view text, date::sys_days when = date::sys_days{
                                                                  2026_y / date::December / 2}) {
    return find_return_date(text, when);
}

}  // namespace

TEST_SUITE("inbound_fixtures") {
    TEST_CASE("a Gmail reply threads on In-Reply-To and References") {
        const auto facts = parse_inbound(fixture("reply_gmail.eml"));
        CHECK(facts.message_id == "CAFu42x+Yq8pZk3vQnTx1W=hR7mE0sLd@mail.gmail.com");
        CHECK(facts.in_reply_to == std::vector<std::string>{our_id});
        CHECK(facts.from_email == recipient);
        CHECK(facts.from_name == "Élodie Martin");
        CHECK(facts.to_email == mailbox);
        CHECK(facts.subject == "Re: " + our_subject);
        REQUIRE(facts.date_unix.has_value());
        CHECK(*facts.date_unix == 1796199667);  // 2026-12-02 08:21:07 UTC
        CHECK(facts.text.rfind("Bonjour Camille,", 0) == 0);
        CHECK(facts.text.find("nous prévoyons une refonte") != std::string::npos);
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::reply);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
    }

    TEST_CASE("an Outlook reply without threading headers is matched by its sender") {
        const auto facts = parse_inbound(fixture("reply_outlook.eml"));
        CHECK(facts.in_reply_to.empty());
        CHECK(facts.references.empty());
        CHECK(facts.from_name == "Élodie Martin");
        // iso-8859-1 quoted-printable decoded to UTF-8
        CHECK(facts.text.find("je transmets à notre directeur technique") != std::string::npos);
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::reply);
        CHECK(c.refers_to.empty());
        CHECK(c.counterpart_email == recipient);
    }

    TEST_CASE("an Apple Mail reply threads on References alone") {
        const auto facts = parse_inbound(fixture("reply_apple_mail.eml"));
        CHECK(facts.in_reply_to.empty());
        CHECK(facts.references == std::vector<std::string>{our_id});
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::reply);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
    }

    TEST_CASE("Postfix 5.1.1 bounce: a hard bounce naming our message") {
        const auto facts = parse_inbound(fixture("dsn_postfix_511.eml"));
        CHECK(facts.is_delivery_report);
        CHECK(facts.return_path_null);
        REQUIRE(facts.delivery.size() == 1);
        CHECK(facts.delivery[0].final_recipient == recipient);
        CHECK(facts.delivery[0].action == "failed");
        CHECK(facts.delivery[0].status == "5.1.1");
        CHECK(facts.delivery[0].diagnostic ==
              "550 5.1.1 <" + recipient +
                  ">: Recipient address rejected: User unknown in virtual mailbox table");
        CHECK(facts.original_message_ids == std::vector<std::string>{our_id});
        CHECK(facts.original_to == recipient);
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::hard_bounce);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
        CHECK(c.status == "5.1.1");
        CHECK(c.reason == "RFC 3464 report, 5.1.1 failed");
    }

    TEST_CASE("Postfix delay warning 4.2.2: a soft bounce from text/rfc822-headers") {
        const auto facts = parse_inbound(fixture("dsn_postfix_422.eml"));
        REQUIRE(facts.delivery.size() == 1);
        CHECK(facts.delivery[0].action == "delayed");
        CHECK(facts.original_message_ids == std::vector<std::string>{our_id});
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::soft_bounce);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
        CHECK(c.status == "4.2.2");
    }

    TEST_CASE("Exchange Online NDR 5.1.1: a hard bounce although it has In-Reply-To") {
        const auto facts = parse_inbound(fixture("dsn_exchange_511.eml"));
        CHECK(facts.in_reply_to == std::vector<std::string>{our_id});
        CHECK(facts.subject == "Undeliverable: " + our_subject);
        REQUIRE(facts.delivery.size() == 1);
        CHECK(facts.delivery[0].diagnostic == "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found");
        CHECK(facts.text.find("wasn't found at client-exemple.fr") != std::string::npos);
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::hard_bounce);
        CHECK(has(c.refers_to, our_id));
        CHECK(c.counterpart_email == recipient);
        CHECK(c.status == "5.1.1");
    }

    TEST_CASE("Exchange Online NDR failed with 4.2.2: soft") {
        const auto c = classify_inbound(parse_inbound(fixture("dsn_exchange_422.eml")), received);
        CHECK(c.kind == InboundKind::soft_bounce);
        CHECK(has(c.refers_to, our_id));
        CHECK(c.counterpart_email == recipient);
        CHECK(c.status == "4.2.2");
        CHECK(c.reason == "RFC 3464 report, 4.2.2 failed");
    }

    TEST_CASE("Gmail DSN (Failure) 5.1.1") {
        const auto facts = parse_inbound(fixture("dsn_gmail_511.eml"));
        CHECK(facts.from_email == "mailer-daemon@googlemail.com");
        REQUIRE(facts.delivery.size() == 1);
        CHECK(facts.delivery[0].diagnostic.rfind("550-5.1.1 The email account that you tried", 0) ==
              0);
        CHECK(facts.original_message_ids == std::vector<std::string>{our_id});
        CHECK(facts.text.find("** Address not found **") != std::string::npos);
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::hard_bounce);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
        CHECK(c.status == "5.1.1");
    }

    TEST_CASE("Gmail DSN (Delay) 4.2.2") {
        const auto c = classify_inbound(parse_inbound(fixture("dsn_gmail_422.eml")), received);
        CHECK(c.kind == InboundKind::soft_bounce);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
        CHECK(c.status == "4.2.2");
    }

    TEST_CASE("qmail plain-text bounce: ids and recipient read from the text") {
        const auto facts = parse_inbound(fixture("bounce_qmail_plain.eml"));
        CHECK_FALSE(facts.is_delivery_report);
        CHECK(facts.original_message_ids == std::vector<std::string>{our_id});
        CHECK(facts.original_to == recipient);
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::hard_bounce);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
        CHECK(c.status == "5.1.1");
        CHECK(c.diagnostic == "Sorry, no mailbox here by that name. (#5.1.1)");
    }

    TEST_CASE("French out-of-office with a return date") {
        const auto facts = parse_inbound(fixture("ooo_fr_with_date.eml"));
        CHECK(facts.subject == "Réponse automatique\u00a0: " + our_subject);
        CHECK(facts.auto_submitted == "auto-replied");
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::auto_reply);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
        CHECK(c.return_date == ymd(2027_y / date::January / 12));
    }

    TEST_CASE("French out-of-office without a date") {
        const auto facts = parse_inbound(fixture("ooo_fr_without_date.eml"));
        CHECK(facts.x_auto_response_suppress == "All");
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::auto_reply);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
        CHECK_FALSE(c.return_date.has_value());
    }

    TEST_CASE("English out-of-office until 1/15 (US order), the quoted original ignored") {
        const auto facts = parse_inbound(fixture("ooo_en_with_date.eml"));
        CHECK(facts.x_autoreply == "yes");
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::auto_reply);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.return_date == ymd(2027_y / date::January / 15));
    }

    TEST_CASE("English out-of-office without a date") {
        const auto c =
            classify_inbound(parse_inbound(fixture("ooo_en_without_date.eml")), received);
        CHECK(c.kind == InboundKind::auto_reply);
        CHECK(c.refers_to == std::vector<std::string>{our_id});
        CHECK(c.counterpart_email == recipient);
        CHECK_FALSE(c.return_date.has_value());
    }

    TEST_CASE("a newsletter is unrelated, Precedence: bulk notwithstanding") {
        const auto facts = parse_inbound(fixture("newsletter.eml"));
        CHECK(facts.has_list_headers);
        CHECK(facts.precedence == "bulk");
        CHECK(facts.subject == "Les tendances 2027 du design d’intérieur 🎨");
        // HTML only: reduced to text, entities decoded, no style sheet
        CHECK(facts.text.find("Les tendances 2027 du design d’intérieur") != std::string::npos);
        CHECK(facts.text.find("12\u00a0créateurs à suivre") != std::string::npos);
        CHECK(facts.text.find('<') == std::string::npos);
        CHECK(facts.text.find("font-family") == std::string::npos);
        const auto c = classify_inbound(facts, received);
        CHECK(c.kind == InboundKind::unrelated);
    }
}

TEST_SUITE("inbound_return_date") {
    TEST_CASE("French forms") {
        CHECK(on("Je serai de retour le 12 mars.") == ymd(2027_y / date::March / 12));
        CHECK(on("de retour le lundi 12 mars 2027") == ymd(2027_y / date::March / 12));
        CHECK(on("absente jusqu'au 15/03") == ymd(2027_y / date::March / 15));
        CHECK(on("absente jusqu’au 15 mars inclus") == ymd(2027_y / date::March / 15));
        CHECK(on("Je suis absent(e) du 2 au 15 mars.") == ymd(2027_y / date::March / 15));
        CHECK(on("Joignable à partir du 16/03.") == ymd(2027_y / date::March / 16));
        CHECK(on("De retour le 1er février") == ymd(2027_y / date::February / 1));
        CHECK(on("de retour le 3 août 2027") == ymd(2027_y / date::August / 3));
        CHECK(on("DE RETOUR LE 12 DÉCEMBRE") == ymd(2026_y / date::December / 12));
        CHECK(on("jusqu'au 15/01/27") == ymd(2027_y / date::January / 15));
        CHECK(on("absente du 21/12 au 04/01") == ymd(2027_y / date::January / 4));
        CHECK(on("Je serai de retour au bureau le lundi 4 janvier 2027.") ==
              ymd(2027_y / date::January / 4));
        CHECK(on("jusqu'au 12.01.") == ymd(2027_y / date::January / 12));
    }

    TEST_CASE("English forms") {
        CHECK(on("I will be back on March 12.") == ymd(2027_y / date::March / 12));
        CHECK(on("back on Monday, March 12th") == ymd(2027_y / date::March / 12));
        CHECK(on("returning on 12 March") == ymd(2027_y / date::March / 12));
        CHECK(on("out until 3/15") == ymd(2027_y / date::March / 15));
        CHECK(on("out until March 15") == ymd(2027_y / date::March / 15));
        CHECK(on("out of the office until 15.03.2027") == ymd(2027_y / date::March / 15));
        CHECK(on("I'm away until 1/5.") == ymd(2027_y / date::January / 5));
        CHECK(on("back on January 4th, 2027") == ymd(2027_y / date::January / 4));
        CHECK(on("back on 2027-01-11") == ymd(2027_y / date::January / 11));
        CHECK(on("back on the 4th of January") == ymd(2027_y / date::January / 4));
        CHECK(on("I am on leave from 21 December to 4 January") == ymd(2027_y / date::January / 4));
        CHECK(on("until Jan. 4, 2027") == ymd(2027_y / date::January / 4));
    }

    TEST_CASE("French numeric dates are day/month, English month/day") {
        CHECK(on("de retour le 05/01") == ymd(2027_y / date::January / 5));
        CHECK(on("back on 05/01") == ymd(2027_y / date::May / 1));
        CHECK(on("back on 25/01") == ymd(2027_y / date::January / 25));
    }

    TEST_CASE("a date without a year is the first on or after received minus a week") {
        const auto dec20 = date::sys_days{2026_y / date::December / 20};
        CHECK(on("de retour le 5 janvier", dec20) == ymd(2027_y / date::January / 5));
        CHECK(on("de retour le 15 décembre", dec20) == ymd(2026_y / date::December / 15));
        CHECK(on("de retour le 10 décembre", dec20) == ymd(2027_y / date::December / 10));
        CHECK(on("back on February 29", date::sys_days{2027_y / date::December / 1}) ==
              ymd(2028_y / date::February / 29));
    }

    TEST_CASE("impossible, far and absent dates give none") {
        CHECK_FALSE(on("de retour le 31/02").has_value());
        CHECK_FALSE(on("de retour le 31 avril").has_value());
        CHECK_FALSE(on("de retour le 12 mars 2029").has_value());
        CHECK_FALSE(on("de retour le 12 mars 2025").has_value());
        CHECK_FALSE(on("Je suis absente, je vous répondrai dès mon retour.").has_value());
        CHECK_FALSE(on("Appelez le 01.23.45.67.89 ou le 06 12 34 56 78").has_value());
        CHECK_FALSE(on("").has_value());
        CHECK_FALSE(on("rendez-vous à 10:02, version 3.2.13").has_value());
    }

    TEST_CASE("the date after a return keyword wins over other dates") {
        CHECK(on("Absent du 18 décembre au 11 janvier inclus, de retour le 12 janvier.") ==
              ymd(2027_y / date::January / 12));
        CHECK(on("For urgent matters before December 20 call Julien. I am back on January 4.") ==
              ymd(2027_y / date::January / 4));
        CHECK(on("Absent du 21 décembre au 4 janvier.") == ymd(2027_y / date::January / 4));
    }

    TEST_CASE("a quoted original's dates are not return dates") {
        CHECK_FALSE(
            on("Je suis absente.\n\nLe mar. 1 déc. 2026 à 10:02, Camille a écrit :\n> Bonjour")
                .has_value());
        CHECK_FALSE(on("Away.\n> On 5 December we met").has_value());
    }
}

namespace {

InboundFacts person() {
    InboundFacts f;
    f.from_email = recipient;
    f.return_path = recipient;
    f.subject = "Re: " + our_subject;
    f.in_reply_to = {our_id};
    f.text = "Bonjour, volontiers.";
    return f;
}

InboundFacts report(std::vector<DeliveryStatusField> fields) {
    InboundFacts f;
    f.from_email = "mailer-daemon@smtp.atelier-lumen.fr";
    f.return_path_null = true;
    f.subject = "Undelivered Mail Returned to Sender";
    f.is_delivery_report = true;
    f.delivery = std::move(fields);
    f.original_message_ids = {our_id};
    return f;
}

}  // namespace

TEST_SUITE("inbound_classification") {
    TEST_CASE("to_string names every kind") {
        CHECK(std::string(to_string(InboundKind::reply)) == "reply");
        CHECK(std::string(to_string(InboundKind::hard_bounce)) == "hard_bounce");
        CHECK(std::string(to_string(InboundKind::soft_bounce)) == "soft_bounce");
        CHECK(std::string(to_string(InboundKind::auto_reply)) == "auto_reply");
        CHECK(std::string(to_string(InboundKind::unrelated)) == "unrelated");
    }

    TEST_CASE("Action: delayed is never hard, even with a 5.x.x status") {
        const auto c =
            classify_inbound(report({{recipient, "delayed", "5.2.2", "mailbox full"}}), received);
        CHECK(c.kind == InboundKind::soft_bounce);
        CHECK(c.status == "5.2.2");
        CHECK(c.counterpart_email == recipient);
    }

    TEST_CASE("one failed 5.x.x among several recipients makes it hard") {
        const auto c =
            classify_inbound(report({{"a@x.example", "delayed", "4.4.1", ""},
                                     {recipient, "failed", "5.1.1", "550 5.1.1 unknown"}}),
                             received);
        CHECK(c.kind == InboundKind::hard_bounce);
        CHECK(c.counterpart_email == recipient);
        CHECK(c.diagnostic == "550 5.1.1 unknown");
    }

    TEST_CASE("a report of a successful delivery is unrelated") {
        const auto c = classify_inbound(report({{recipient, "delivered", "2.0.0", ""}}), received);
        CHECK(c.kind == InboundKind::unrelated);
    }

    TEST_CASE("Auto-Submitted: no is not automatic") {
        auto f = person();
        f.auto_submitted = "no";
        CHECK(classify_inbound(f, received).kind == InboundKind::reply);
    }

    TEST_CASE("each automatic-reply header makes an automatic reply") {
        for (int i = 0; i < 6; ++i) {
            auto f = person();
            if (i == 0) f.auto_submitted = "auto-replied";
            if (i == 1) f.x_autoreply = "yes";
            if (i == 2) f.x_autorespond = "yes";
            if (i == 3) f.precedence = "auto_reply";
            if (i == 4) f.precedence = "junk";
            if (i == 5) f.x_auto_response_suppress = "OOF";
            CAPTURE(i);
            CHECK(classify_inbound(f, received).kind == InboundKind::auto_reply);
        }
    }

    TEST_CASE("automatic-reply subjects") {
        for (const char* subject :
             {"Réponse automatique : Votre projet", "Absence", "Automatic reply: x",
              "Auto: Votre projet", "Out of Office: x", "Abwesenheitsnotiz: x", "Autoreply: x"}) {
            auto f = person();
            f.subject = subject;
            CAPTURE(subject);
            CHECK(classify_inbound(f, received).kind == InboundKind::auto_reply);
        }
    }

    TEST_CASE("a reply's refers_to is In-Reply-To then References newest first") {
        auto f = person();
        f.in_reply_to = {"c@x"};
        f.references = {"a@x", "b@x", "c@x"};
        const auto c = classify_inbound(f, received);
        CHECK(c.refers_to == std::vector<std::string>{"c@x", "b@x", "a@x"});
        CHECK(c.reason == "personal message");
    }

    TEST_CASE("a message from a mailer-daemon is never a reply") {
        auto f = person();
        f.from_email = "mailer-daemon@mx.example";
        f.subject = "Re: hello";
        CHECK(classify_inbound(f, received).kind == InboundKind::unrelated);
        f.from_email = "postmaster@mx.example";
        CHECK(classify_inbound(f, received).kind == InboundKind::unrelated);
    }

    TEST_CASE("list mail without threading headers is unrelated; with them it can be a reply") {
        auto f = person();
        f.has_list_headers = true;
        f.precedence = "bulk";
        f.in_reply_to.clear();
        CHECK(classify_inbound(f, received).kind == InboundKind::unrelated);
        f.precedence.clear();
        f.in_reply_to = {our_id};
        CHECK(classify_inbound(f, received).kind == InboundKind::reply);
    }

    TEST_CASE("plain-text bounces of the common MTAs") {
        InboundFacts f;
        f.from_email = "mailer-daemon@mx.example";
        f.return_path_null = true;
        f.subject = "Mail delivery failed: returning message to sender";
        f.text =
            "This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            "  bob@client.example\n    host mx.client.example [203.0.113.9]\n"
            "    SMTP error from remote mail server after RCPT TO:<bob@client.example>:\n"
            "    550 no such user\n";
        auto c = classify_inbound(f, received);
        CHECK(c.kind == InboundKind::hard_bounce);
        CHECK(c.status == "5.0.0");
        CHECK(c.counterpart_email == "bob@client.example");

        f.text.insert(0, "Received: from mx by relay with esmtp (Exim 4.96.2)\n");
        CHECK(classify_inbound(f, received).status == "5.0.0");

        f.subject = "Undeliverable: hello";
        f.text =
            "Delivery has failed to these recipients or groups:\n\n<bob@client.example>:\n"
            "452 4.2.2 mailbox full, will retry\n";
        c = classify_inbound(f, received);
        CHECK(c.kind == InboundKind::soft_bounce);
        CHECK(c.status == "4.2.2");
        CHECK(c.counterpart_email == "bob@client.example");
    }

    TEST_CASE("bounce wording from a person is not a bounce") {
        auto f = person();
        f.subject = "Re: failure notice";
        f.text = "Returned mail? I got your message fine. 550 5.1.1 is not my problem.";
        CHECK(classify_inbound(f, received).kind == InboundKind::reply);
    }

    TEST_CASE("a null sender with nothing automatic is unrelated, never a reply") {
        auto f = person();
        f.return_path_null = true;
        CHECK(classify_inbound(f, received).kind == InboundKind::unrelated);
    }
}

TEST_SUITE("inbound_parser") {
    TEST_CASE("empty and garbage input give empty facts") {
        CHECK(parse_inbound("").message_id.empty());
        std::string garbage;
        for (int i = 0; i < 100000; ++i) garbage += static_cast<char>((i * 7919) % 256);
        const auto facts = parse_inbound(garbage);
        CHECK(facts.from_email.empty());
        CHECK(facts.delivery.empty());
        CHECK(facts.text.size() <= 64 * 1024);
    }

    TEST_CASE("missing headers stay empty") {
        const auto facts = parse_inbound("\r\nJust a body.\r\n");
        CHECK(facts.message_id.empty());
        CHECK(facts.from_email.empty());
        CHECK(facts.in_reply_to.empty());
        CHECK_FALSE(facts.date_unix.has_value());
        CHECK_FALSE(facts.return_path_null);
        CHECK(classify_inbound(facts, received).kind == InboundKind::unrelated);
    }

    TEST_CASE("a 5 MB message: the text is cut at 64 KiB on a character boundary") {
        std::string raw =
            "From: a@b.example\r\nSubject: big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n";
        while (raw.size() < 5 * 1024 * 1024) raw += "Déjà vu, encore et encore. ";
        const auto facts = parse_inbound(raw);
        CHECK(facts.from_email == "a@b.example");
        CHECK(facts.text.size() <= 64 * 1024);
        CHECK(facts.text.size() > 60 * 1024);
        CHECK((static_cast<unsigned char>(facts.text.back()) & 0xC0) != 0xC0);
    }

    TEST_CASE("deeply nested multiparts and broken MIME do not crash") {
        std::string raw = "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
        for (int i = 0; i < 200; ++i)
            raw += "--b" + std::to_string(i) + "\r\nContent-Type: multipart/mixed; boundary=b" +
                   std::to_string(i + 1) + "\r\n\r\n";
        raw += "--b200\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n";
        CHECK_NOTHROW(parse_inbound(raw));
        CHECK_NOTHROW(
            parse_inbound("Content-Type: multipart/report; report-type=delivery-status\r\n\r\n--"));
        CHECK_NOTHROW(
            parse_inbound("From: <<<@@@>>>\r\nIn-Reply-To: <<<\r\nDate: tomorrow\r\n\r\n"));
    }

    TEST_CASE("Return-Path <> and ids without angle brackets") {
        const auto facts = parse_inbound(
            "Return-Path: <>\r\nFrom: \"Bob\" <Bob@Example.ORG>\r\nIn-Reply-To: <a@x> <b@x>\r\n"
            "References: <r1@x>\r\n <r2@x>\r\nMessage-ID: <m@x>\r\n\r\nhi\r\n");
        CHECK(facts.return_path_null);
        CHECK(facts.return_path.empty());
        CHECK(facts.from_email == "bob@example.org");
        CHECK(facts.from_name == "Bob");
        CHECK(facts.message_id == "m@x");
        CHECK(facts.in_reply_to == std::vector<std::string>{"a@x", "b@x"});
        CHECK(facts.references == std::vector<std::string>{"r1@x", "r2@x"});
        CHECK(facts.text == "hi\r\n");
    }
}

TEST_SUITE("inbound_return_date") {
    TEST_CASE("keywords are words: feedback is not back, gentille is not till") {
        CHECK(on("Merci, gentille attention. De retour le 05/01") ==
              ymd(2027_y / date::January / 5));
        CHECK(on("Send feedback by 05/01") == ymd(2027_y / date::May / 1));
    }
}

TEST_SUITE("inbound_classification") {
    TEST_CASE("a failed recipient without a Status takes the code of its Diagnostic-Code") {
        auto c = classify_inbound(report({{recipient, "failed", "", "smtp; 550 5.7.1 blocked"}}),
                                  received);
        CHECK(c.kind == InboundKind::hard_bounce);
        CHECK(c.status == "5.7.1");
        c = classify_inbound(report({{recipient, "failed", "", "mailbox busy"}}), received);
        CHECK(c.kind == InboundKind::hard_bounce);
        CHECK(c.status == "5.0.0");
        c = classify_inbound(report({{recipient, "failed", "", "452 try later"}}), received);
        CHECK(c.kind == InboundKind::soft_bounce);
        CHECK(c.status == "4.0.0");
    }
}

TEST_SUITE("inbound_parser") {
    TEST_CASE("RFC 6533 global delivery reports read like RFC 3464 ones") {
        const auto facts = parse_inbound(
            "From: mailer-daemon@mx.example\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=global-delivery-status; boundary=x\r\n\r\n"
            "--x\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n"
            "--x\r\nContent-Type: message/global-delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example\r\n\r\n"
            "Final-Recipient: rfc822; <Zoé@Exemple.fr>\r\nAction: Failed\r\nStatus: 5.1.1 (no such "
            "user)\r\n"
            "Diagnostic-Code: smtp; 550 5.1.1\r\n unknown\r\n\r\n"
            "--x\r\nContent-Type: message/global-headers\r\n\r\n"
            "Message-ID: <orig@x>\r\nTo: zoé@exemple.fr\r\n--x--\r\n");
        CHECK(facts.is_delivery_report);
        REQUIRE(facts.delivery.size() == 1);
        CHECK(facts.delivery[0].final_recipient == "zoé@exemple.fr");
        CHECK(facts.delivery[0].action == "failed");
        CHECK(facts.delivery[0].status == "5.1.1");
        CHECK(facts.delivery[0].diagnostic == "550 5.1.1 unknown");
        CHECK(facts.original_message_ids == std::vector<std::string>{"orig@x"});
        CHECK(facts.text == "Failed.");  // the CRLF before a boundary belongs to it
    }
}
