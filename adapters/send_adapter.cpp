#include "adapters/send_adapter.hpp"

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

}  // namespace pf::adapters
