// fuzz_replay_fixture: replay/fixture's parse_fixture over a JSON text, then
// the rows it would load (table_rows). FixtureError is the documented
// failure; anything else (a json::type_error, a std::invalid_argument that
// escaped) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "replay/fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const auto fixture = pf::replay::parse_fixture(text, "fuzz.json");
        (void)pf::replay::table_rows(fixture);
    } catch (const pf::replay::FixtureError&) {
    }
    return 0;
}
