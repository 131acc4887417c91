#include "adapters/relay_window.hpp"

#include <algorithm>

namespace pf::adapters {

std::string_view to_string(RelayFeedback feedback) {
    switch (feedback) {
        case RelayFeedback::accepted:
            return "accepted";
        case RelayFeedback::congested:
            return "congested";
        case RelayFeedback::neutral:
            return "neutral";
    }
    return "unknown";
}

RelayWindow open_relay_window(int max_connections) {
    const int limit = std::max(1, max_connections);
    return {limit, limit, 0};
}

bool has_room(const RelayWindow& relay) {
    return relay.in_flight < relay.window;
}

void note_started(RelayWindow& relay) {
    ++relay.in_flight;
}

// Halve on trouble, add one per success (additive increase, multiplicative
// decrease, as TCP does): a relay that pushed back gets its old concurrency
// back only as fast as it proves it can take it.
void note_finished(RelayWindow& relay, RelayFeedback feedback) {
    relay.in_flight = std::max(0, relay.in_flight - 1);
    switch (feedback) {
        case RelayFeedback::accepted:
            relay.window = std::min(relay.max_connections, relay.window + 1);
            break;
        case RelayFeedback::congested:
            relay.window = std::max(1, relay.window / 2);
            break;
        case RelayFeedback::neutral:
            break;
    }
}

}  // namespace pf::adapters
