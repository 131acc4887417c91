#include "adapters/template_renderer.hpp"

namespace pf::adapters {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string render_template(std::string_view text, const TemplateVariables& variables) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            out.append(text.substr(pos));
            break;
        }
        out.append(text.substr(pos, open - pos));
        const auto close = text.find("}}", open + 2);
        if (close == std::string_view::npos)
            throw TemplateError("template error: '{{' at offset " + std::to_string(open) +
                                " is never closed");
        const auto name = trim(text.substr(open + 2, close - open - 2));
        if (name.empty())
            throw TemplateError("template error: empty variable at offset " + std::to_string(open));
        const auto it = variables.find(name);
        if (it == variables.end() || it->second.empty())
            throw TemplateError("template error: missing variable '" + std::string(name) + "'");
        out.append(it->second);
        pos = close + 2;
    }
    return out;
}

}  // namespace pf::adapters
