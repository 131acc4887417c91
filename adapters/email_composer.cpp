#include "adapters/email_composer.hpp"

#include "adapters/mime_message.hpp"

namespace pf::adapters {

TemplateVariables template_variables(const ProspectFacts& f) {
    return {
        {"person.first_name", f.first_name},
        {"person.last_name", f.last_name},
        {"person.full_name", f.first_name + " " + f.last_name},
        {"person.email", f.email},
        {"position.title", f.position_title},
        {"position.email", f.position_email},
        {"company.name", f.company_name},
        {"company.siren", f.company_siren},
        {"company.naf_code", f.company_naf_code},
        {"company.domain", f.company_domain},
        {"campaign.name", f.campaign_name},
        {"sender.name", f.sender_name},
        {"sender.email", f.sender_email},
        {"step.order", std::to_string(f.step_order)},
        {"variant.label", f.variant_label},
    };
}

ComposedText compose_text(EmailGenerator& generator, const PromptSpec& prompt,
                          const TemplateVariables& variables) {
    auto text = generator.generate(prompt, variables);
    ComposedText out{std::move(text.subject), std::move(text.body), std::move(text.body_html)};
    if (out.body_html.empty()) out.body_html = paragraphs_to_html(html_escape(out.body));
    return out;
}

std::string reply_subject(const std::string& thread_subject) {
    return thread_subject.rfind("Re: ", 0) == 0 ? thread_subject : "Re: " + thread_subject;
}

std::string compose_mime(const OutgoingEmail& email, const TrackingLinks& links,
                         std::chrono::sys_seconds date) {
    MimeFields mime;
    mime.from_email = email.from_email;
    mime.from_name = email.from_name;
    mime.to_email = email.to_email;
    mime.reply_to = email.reply_to;
    mime.subject = email.subject;
    mime.body_text = email.body_text;
    mime.body_html = email.body_html;
    mime.message_id = email.rfc_message_id;
    mime.in_reply_to = email.in_reply_to;
    if (email.in_reply_to) mime.references = {*email.in_reply_to};
    mime.date = date;
    if (!email.tracking_token.empty() && !links.base_url.empty()) {
        mime.unsubscribe_url = links.base_url + "/u/" + email.tracking_token;
        if (email.track_opens && mime.body_html)
            *mime.body_html += "\n<img src=\"" + links.base_url + "/o/" + email.tracking_token +
                               ".gif\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
    }
    if (!links.unsubscribe_mailto.empty()) mime.unsubscribe_mailto = links.unsubscribe_mailto;
    return build_mime(mime);
}

}  // namespace pf::adapters
