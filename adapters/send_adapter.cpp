#include "adapters/send_adapter.hpp"

#include <cctype>
#include <stdexcept>

namespace pf::adapters {

std::string_view to_string(SendOutcome outcome) {
    switch (outcome) {
        case SendOutcome::sent:
            return "sent";
        case SendOutcome::transient_failure:
            return "transient_failure";
        case SendOutcome::permanent_failure:
            return "permanent_failure";
    }
    return "unknown";
}

namespace {
std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
}  // namespace

RoutingSender::RoutingSender(std::vector<RouteRule> rules, std::string default_adapter,
                             std::map<std::string, std::unique_ptr<SendAdapter>> adapters)
    : rules_(std::move(rules)), default_adapter_(std::move(default_adapter)), adapters_(std::move(adapters)) {
    if (!adapters_.contains(default_adapter_))
        throw std::invalid_argument("routing: no adapter '" + default_adapter_ + "'");
    for (const auto& r : rules_)
        if (!adapters_.contains(r.adapter))
            throw std::invalid_argument("routing: no adapter '" + r.adapter + "'");
    name_ = default_adapter_;
    for (const auto& [n, a] : adapters_)
        if (n != default_adapter_) name_ += "+" + n;
}

SendAdapter& RoutingSender::route(const OutboundEmail& email) const {
    const auto from = lower(email.from_email);
    const auto domain = from.substr(from.find('@') + 1);
    for (const auto& r : rules_) {
        if (!r.campaign_id.empty() && lower(r.campaign_id) != lower(email.campaign_id)) continue;
        if (!r.from_email.empty() && lower(r.from_email) != from) continue;
        if (!r.from_domain.empty() && lower(r.from_domain) != domain) continue;
        return *adapters_.at(r.adapter);
    }
    return *adapters_.at(default_adapter_);
}

SendResult RoutingSender::send(const OutboundEmail& email) {
    return route(email).send(email);
}

}  // namespace pf::adapters
