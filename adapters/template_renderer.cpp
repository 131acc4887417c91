#include "adapters/template_renderer.hpp"

#include <kainjow/mustache.hpp>
#include <map>
#include <optional>
#include <vector>

namespace pf::adapters {
namespace {

namespace mstch = kainjow::mustache;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

[[noreturn]] void fail(const std::string& what, std::size_t offset) {
    throw TemplateError("template error: " + what + " (at offset " + std::to_string(offset) + ")");
}

// Walks the tags with the values at hand: which names are used, and which
// variables would be rendered. kainjow renders; this makes it strict.
void check(std::string_view text, const TemplateVariables& vars) {
    struct Open {
        std::string name;
        bool rendered;
    };
    std::vector<Open> open;
    const auto rendered = [&] { return open.empty() || open.back().rendered; };
    const auto value_of = [&](const std::string& name, std::size_t at) -> const std::string& {
        const auto it = vars.find(name);
        if (it == vars.end()) fail("unknown variable '" + name + "'", at);
        return it->second;
    };
    std::size_t pos = 0;
    while ((pos = text.find("{{", pos)) != std::string_view::npos) {
        const std::size_t at = pos;
        const bool triple = text.substr(pos, 3) == "{{{";
        const std::string_view end = triple ? "}}}" : "}}";
        const std::size_t start = pos + (triple ? 3 : 2);
        const std::size_t close = text.find(end, start);
        if (close == std::string_view::npos) fail("'{{' is never closed", at);
        auto tag = trim(text.substr(start, close - start));
        pos = close + end.size();
        if (tag.empty()) fail("empty tag", at);
        char kind = triple ? '&' : tag.front();
        if (!triple && std::string_view("#^/!>=&").find(kind) != std::string_view::npos)
            tag = trim(tag.substr(1));
        else if (!triple)
            kind = 'v';
        const std::string name(tag);
        switch (kind) {
            case '!':
                break;
            case '>':
                fail("partials are not supported ('" + name + "')", at);
            case '=':
                fail("delimiter changes are not supported", at);
            case '#':
            case '^': {
                const bool truthy = !value_of(name, at).empty();
                open.push_back({name, rendered() && (kind == '#' ? truthy : !truthy)});
                break;
            }
            case '/':
                if (open.empty()) fail("'{{/" + name + "}}' closes no section", at);
                if (open.back().name != name)
                    fail("section '" + open.back().name + "' closed by '" + name + "'", at);
                open.pop_back();
                break;
            default:  // a variable, escaped or not
                if (value_of(name, at).empty() && rendered())
                    fail("missing variable '" + name + "'", at);
        }
    }
    if (!open.empty()) throw TemplateError("template error: section '" + open.back().name + "' is never closed");
}

// {"person.first_name": "Zoé"} -> {"person": {"first_name": "Zoé"}}; an
// empty value is false, so that its sections are skipped.
struct Node {
    std::optional<std::string> value;
    std::map<std::string, Node> children;
};

mstch::data to_data(const Node& node) {
    if (node.children.empty()) {
        if (!node.value || node.value->empty()) return mstch::data{false};
        return mstch::data{*node.value};
    }
    mstch::data object{mstch::data::type::object};
    for (const auto& [key, child] : node.children) object.set(key, to_data(child));
    return object;
}

mstch::data data_of(const TemplateVariables& vars) {
    Node root;
    for (const auto& [name, value] : vars) {
        Node* node = &root;
        std::size_t from = 0;
        for (std::size_t dot; (dot = name.find('.', from)) != std::string::npos; from = dot + 1)
            node = &node->children[name.substr(from, dot - from)];
        node->children[name.substr(from)].value = value;
    }
    return to_data(root);
}

}  // namespace

std::string render_template(std::string_view text, const TemplateVariables& variables,
                            Escaping escaping) {
    check(text, variables);
    mstch::mustache tmpl{std::string(text)};
    if (!tmpl.is_valid()) throw TemplateError("template error: " + tmpl.error_message());
    if (escaping == Escaping::none) tmpl.set_custom_escape([](const std::string& s) { return s; });
    auto out = tmpl.render(data_of(variables));
    if (!tmpl.is_valid()) throw TemplateError("template error: " + tmpl.error_message());
    return out;
}

std::string html_escape(std::string_view text) {
    return mstch::html_escape(std::string(text));
}

std::string paragraphs_to_html(std::string_view text) {
    std::string out = "<p>";
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r') continue;
        if (text[i] == '\n') {
            std::size_t j = i + 1;
            while (j < text.size() && text[j] == '\r') ++j;
            if (j < text.size() && text[j] == '\n') {
                out += "</p>\n<p>";
                while (j + 1 < text.size() && (text[j + 1] == '\n' || text[j + 1] == '\r')) ++j;
                i = j;
            } else {
                out += "<br>\n";
            }
            continue;
        }
        out += text[i];
    }
    out += "</p>";
    return out;
}

}  // namespace pf::adapters
