// fuzz_inbound_message: a raw inbound message through adapters/inbound_parser
// (GMime) and scheduler/inbound_classification, received on a fixed day, as
// the inbound reader does for every message it fetches. Neither documents an
// exception: any throw is a bug, as is any crash.
#include <date/date.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/inbound_parser.hpp"
#include "scheduler/inbound_classification.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace date::literals;
    static const date::sys_days received{2026_y / date::December / 2};
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const auto facts = pf::adapters::parse_inbound(raw);
    (void)pf::scheduler::classify_inbound(facts, received);
    // The raw bytes too: find_return_date reads any text, not only a decoded one.
    (void)pf::scheduler::find_return_date(raw, received);
    (void)pf::scheduler::find_return_date(facts.text, received);
    return 0;
}
