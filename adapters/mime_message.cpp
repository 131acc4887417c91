#include "adapters/mime_message.hpp"

#include <memory>
#include <mutex>
#include <stdexcept>

#include "adapters/gmime_support.hpp"

namespace pf::adapters {
namespace {

// UTF-8 as given: GMime's own g_mime_text_part_set_text would pick the
// "best" charset (latin-1 for most French text), which surprises readers of
// the stored .eml files and nothing else gains from it.
GPtr<GMimePart> text_part(const char* subtype, const std::string& text) {
    GPtr<GMimePart> part(g_mime_part_new_with_type("text", subtype));
    g_mime_object_set_content_type_parameter(GMIME_OBJECT(part.get()), "charset", "utf-8");
    GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(text.data(), text.size()));
    GPtr<GMimeDataWrapper> content(
        g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(part.get(), content.get());
    // Mostly-ASCII text stays readable; long lines are wrapped safely.
    g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return part;
}

// A mailbox whose display name, if not ASCII, is encoded as UTF-8 words
// (GMime would pick latin-1 where it fits).
void add_mailbox(InternetAddressList* list, const std::string& name, const std::string& address) {
    GPtr<InternetAddress> mailbox(
        internet_address_mailbox_new(name.empty() ? nullptr : name.c_str(), address.c_str()));
    internet_address_set_charset(mailbox.get(), "utf-8");
    internet_address_list_add(list, mailbox.get());
}

std::string angle(const std::string& id) {
    return "<" + id + ">";
}

}  // namespace

std::string build_mime(const MimeFields& f) {
    init_gmime();
    GPtr<GMimeMessage> message(g_mime_message_new(TRUE));
    auto* object = GMIME_OBJECT(message.get());

    add_mailbox(g_mime_message_get_from(message.get()), f.from_name, f.from_email);
    add_mailbox(g_mime_message_get_to(message.get()), "", f.to_email);
    if (!f.reply_to.empty())
        add_mailbox(g_mime_message_get_reply_to(message.get()), "", f.reply_to);
    g_mime_message_set_subject(message.get(), f.subject.c_str(), "utf-8");
    std::unique_ptr<GDateTime, decltype(&g_date_time_unref)> date(
        g_date_time_new_from_unix_utc(f.date.time_since_epoch().count()), &g_date_time_unref);
    g_mime_message_set_date(message.get(), date.get());
    g_mime_message_set_message_id(message.get(), f.message_id.c_str());

    if (f.in_reply_to)
        g_mime_object_set_header(object, "In-Reply-To", angle(*f.in_reply_to).c_str(), nullptr);
    if (!f.references.empty()) {
        std::string refs;
        for (const auto& r : f.references) refs += (refs.empty() ? "" : " ") + angle(r);
        g_mime_object_set_header(object, "References", refs.c_str(), nullptr);
    }
    if (f.unsubscribe_url || f.unsubscribe_mailto) {
        std::string value;
        if (f.unsubscribe_url) value += "<" + *f.unsubscribe_url + ">";
        if (f.unsubscribe_mailto)
            value +=
                (value.empty() ? "" : ", ") + std::string("<mailto:") + *f.unsubscribe_mailto + ">";
        g_mime_object_set_header(object, "List-Unsubscribe", value.c_str(), nullptr);
        if (f.unsubscribe_url)
            g_mime_object_set_header(object, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click",
                                     nullptr);
    }

    if (f.body_html) {
        GPtr<GMimeMultipart> alternative(g_mime_multipart_new_with_subtype("alternative"));
        auto plain = text_part("plain", f.body_text);
        auto html = text_part("html", *f.body_html);
        g_mime_multipart_add(alternative.get(), GMIME_OBJECT(plain.get()));
        g_mime_multipart_add(alternative.get(), GMIME_OBJECT(html.get()));
        g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(alternative.get()));
    } else {
        auto plain = text_part("plain", f.body_text);
        g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(plain.get()));
    }

    std::unique_ptr<GMimeFormatOptions, decltype(&g_mime_format_options_free)> options(
        g_mime_format_options_new(), &g_mime_format_options_free);
    g_mime_format_options_set_newline_format(options.get(), GMIME_NEWLINE_FORMAT_DOS);
    GOwnedString text(g_mime_object_to_string(object, options.get()));
    if (!text) throw std::runtime_error("GMime could not write the message");
    return text.get();
}

}  // namespace pf::adapters
