// fuzz_template: adapters/template_renderer over the variables the
// `template` generator gives a prospect (adapters/email_composer).
// Input: TEMPLATE, optionally followed by a NUL byte and one value per line
// that replaces the fixed values in order (an empty line empties a value, as
// an absent fact does). The first byte of the template also picks the
// escaping, so both the text and the HTML part's rendering are reached.
// TemplateError is the documented failure; anything else is a bug.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/template_renderer.hpp"

namespace {

pf::adapters::TemplateVariables fixed_variables() {
    return {
        {"person.first_name", "Zoé"},
        {"person.last_name", "Durand"},
        {"person.full_name", "Zoé Durand"},
        {"person.email", "zoe.durand@client-exemple.fr"},
        {"position.title", ""},
        {"position.email", "contact@client-exemple.fr"},
        {"company.name", "Dupont & Fils <SA>"},
        {"company.siren", "552100554"},
        {"company.naf_code", "62.01Z"},
        {"company.domain", "client-exemple.fr"},
        {"campaign.name", "Refonte 2026"},
        {"sender.name", "Camille"},
        {"sender.email", "camille@atelier-lumen.fr"},
        {"step.order", "1"},
        {"variant.label", "A"},
    };
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string_view text = input.substr(0, nul);
    auto variables = fixed_variables();
    if (nul != std::string_view::npos) {
        std::string_view values = input.substr(nul + 1);
        for (auto& [name, value] : variables) {
            if (values.empty()) break;
            const std::size_t eol = values.find('\n');
            value = std::string(values.substr(0, eol));
            values = eol == std::string_view::npos ? std::string_view{} : values.substr(eol + 1);
        }
    }
    const auto escaping = !text.empty() && (static_cast<unsigned char>(text.front()) & 1)
                              ? pf::adapters::Escaping::html
                              : pf::adapters::Escaping::none;
    try {
        const std::string out = pf::adapters::render_template(text, variables, escaping);
        if (escaping == pf::adapters::Escaping::html) (void)pf::adapters::paragraphs_to_html(out);
    } catch (const pf::adapters::TemplateError&) {
    }
    return 0;
}
