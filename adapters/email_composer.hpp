#pragma once
// Phase "compose": an email from a prompt and a prospect. The prospect's
// facts become the templates' variables; the generator writes subject and
// text (an HTML part is made from the text when it gives none); and, once
// the message row is written, the complete RFC 5322 message as it leaves:
// threading, List-Unsubscribe (RFC 8058) and the open pixel.

#include <chrono>
#include <optional>
#include <string>

#include "adapters/email_generator.hpp"
#include "adapters/template_renderer.hpp"

namespace pf::adapters {

// What the templates may name (person.*, position.*, company.*, campaign.*,
// sender.*, step.*, variant.*).
struct ProspectFacts {
    std::string first_name, last_name, email;
    std::string position_title, position_email;
    std::string company_name, company_siren, company_naf_code, company_domain;
    std::string campaign_name, sender_name, sender_email;
    int step_order = 0;
    std::string variant_label;
};

TemplateVariables template_variables(const ProspectFacts& facts);

struct ComposedText {
    std::string subject, body, body_html;
};

// Generates the text; throws GenerationError (transient or not).
ComposedText compose_text(EmailGenerator& generator, const PromptSpec& prompt,
                          const TemplateVariables& variables);

// A follow-up's subject: the thread's first subject, "Re: " once.
std::string reply_subject(const std::string& thread_subject);

// The message as written 'sending', and what surrounds it.
struct OutgoingEmail {
    std::string from_email, from_name, to_email, reply_to;
    std::string subject, body_text;
    std::optional<std::string> body_html;
    std::string rfc_message_id;
    std::optional<std::string> in_reply_to;
    std::string tracking_token;  // empty: no tracking links
    bool track_opens = false;    // the campaign's setting: add the open pixel
};

struct TrackingLinks {
    std::string base_url;            // the public tracking listener; empty: no links
    std::string unsubscribe_mailto;  // List-Unsubscribe mailto:, optional
};

std::string compose_mime(const OutgoingEmail& email, const TrackingLinks& links,
                         std::chrono::sys_seconds date);

}  // namespace pf::adapters
