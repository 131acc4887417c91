#pragma once
// How many transfers one relay may have in flight, adjusted by what the relay
// says, in the spirit of Postfix's destination concurrency feedback: a relay that
// pushes back (SMTP 421, HTTP 429 or 503, a refused or timed-out connection)
// has its window halved, down to one; each delivery it accepts opens the
// window by one again, up to max_connections. The window only gates starts:
// transfers beyond it wait in the relay's queue and are never failed for it.
// Pure arithmetic; the curl event loop keeps one per relay (URL and user
// name), so a struggling relay is slowed down and the others are not.

#include <string_view>

namespace pf::adapters {

// What one finished transfer says about its relay.
enum class RelayFeedback {
    accepted,   // delivered: the relay keeps up
    congested,  // the relay asks us to back off, or cannot be reached in time
    neutral,    // an answer about this email only (a 5xx, a 451 for a mailbox)
};
std::string_view to_string(RelayFeedback feedback);

struct RelayWindow {
    int max_connections = 1;
    int window = 1;     // transfers that may be in flight now, 1..max_connections
    int in_flight = 0;  // started and not yet finished
};

// A relay nobody has heard from yet: the full window.
RelayWindow open_relay_window(int max_connections);

bool has_room(const RelayWindow& relay);
void note_started(RelayWindow& relay);
void note_finished(RelayWindow& relay, RelayFeedback feedback);

}  // namespace pf::adapters
