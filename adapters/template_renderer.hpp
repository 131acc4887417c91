#pragma once
// The simple variable template of the `template` generator: {{ name }} with
// dotted names (person.first_name, company.name, sender.name, ...). A
// variable that is missing or empty is an error naming it, never an empty
// string in an email. (Sections and HTML escaping come with the email work.)

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pf::adapters {

class TemplateError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using TemplateVariables = std::map<std::string, std::string, std::less<>>;

std::string render_template(std::string_view text, const TemplateVariables& variables);

}  // namespace pf::adapters
