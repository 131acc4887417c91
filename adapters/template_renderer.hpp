#pragma once
// The `template` generator's templates: Mustache (kainjow/mustache) over the
// prospect's context with dotted names (person.first_name, company.name,
// sender.name, ...): variables, {{{unescaped}}} and {{&unescaped}},
// sections and inverted sections (a section's value is true when non-empty),
// comments. Strict, because a wrong email is worse than none:
//  - a name the context does not know is an error wherever it appears;
//  - a variable that would be rendered empty is an error naming it (guard
//    optional facts: {{#position.title}}, {{position.title}}{{/position.title}});
//  - partials and delimiter changes are refused.
// Escaping::html escapes variables for an HTML part ({{{x}}} does not).

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pf::adapters {

class TemplateError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Every name the template may use, with its value ("" when the fact is absent).
using TemplateVariables = std::map<std::string, std::string, std::less<>>;

enum class Escaping { none, html };

std::string render_template(std::string_view text, const TemplateVariables& variables,
                            Escaping escaping = Escaping::none);

// &, <, >, " and ' as HTML entities.
std::string html_escape(std::string_view text);

// Plain text rendered for an HTML part: paragraphs (blank lines) become <p>,
// line breaks <br>. Input must already be HTML-escaped.
std::string paragraphs_to_html(std::string_view escaped_text);

}  // namespace pf::adapters
