#include "adapters/send_adapter.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
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

// send() is not supposed to throw, but one adapter's bug must not cost the
// rest of the batch its callbacks.
SendResult send_catching(SendAdapter& adapter, const OutboundEmail& email) {
    try {
        return adapter.send(email);
    } catch (const std::exception& e) {
        return SendResult::transient(std::string("adapter error: ") + e.what());
    } catch (...) {
        return SendResult::transient("adapter error: unknown exception");
    }
}

// The emails of one batch that go to the same adapter, with their indexes in
// the caller's batch.
struct RoutedPart {
    SendAdapter* adapter = nullptr;
    std::vector<OutboundEmail> emails;
    std::vector<std::size_t> indexes;
};

}  // namespace

bool SendAdapter::idempotent(const OutboundEmail&) const {
    return false;
}

void SendAdapter::send_many(std::vector<OutboundEmail> emails, SendCallback done) {
    for (std::size_t i = 0; i < emails.size(); ++i) done(i, send_catching(*this, emails[i]));
}

RoutingSender::RoutingSender(std::vector<RouteRule> rules, std::string default_adapter,
                             std::map<std::string, std::unique_ptr<SendAdapter>> adapters)
    : rules_(std::move(rules)),
      default_adapter_(std::move(default_adapter)),
      adapters_(std::move(adapters)) {
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

void RoutingSender::send_many(std::vector<OutboundEmail> emails, SendCallback done) {
    std::vector<RoutedPart> parts;  // in order of first appearance; a handful at most
    for (std::size_t i = 0; i < emails.size(); ++i) {
        SendAdapter* adapter = &route(emails[i]);
        auto part = std::find_if(parts.begin(), parts.end(),
                                 [&](const RoutedPart& p) { return p.adapter == adapter; });
        if (part == parts.end()) part = parts.insert(parts.end(), RoutedPart{adapter, {}, {}});
        part->emails.push_back(std::move(emails[i]));
        part->indexes.push_back(i);
    }
    // Shared, not copied per part: adapters may call back after this returns.
    auto shared_done = std::make_shared<const SendCallback>(std::move(done));
    for (auto& part : parts) {
        auto indexes = std::make_shared<const std::vector<std::size_t>>(std::move(part.indexes));
        part.adapter->send_many(std::move(part.emails),
                                [shared_done, indexes](std::size_t j, SendResult result) {
                                    (*shared_done)((*indexes)[j], std::move(result));
                                });
    }
}

}  // namespace pf::adapters
