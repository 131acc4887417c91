#include "integration/replay_helper.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "integration/scratch_database.hpp"

namespace pf::test {

std::string fixture_path(const std::string& name) {
    return std::string(PF_SOURCE_DIR) + "/tests/replay/" + name + ".json";
}

std::string ReplayRun::text() const {
    std::string out;
    for (const auto& line : result.lines) out += line + "\n";
    return out;
}

std::vector<nlohmann::json> ReplayRun::events(const std::string& kind) const {
    std::vector<nlohmann::json> out;
    for (const auto& line : result.lines) {
        auto e = nlohmann::json::parse(line);
        if (kind.empty() || e.value("event", "") == kind) out.push_back(std::move(e));
    }
    return out;
}

namespace {
ReplayRun run(const replay::Fixture& fixture, const replay::ReplayOptions& options) {
    TestDatabase database("replay");
    return {replay::replay(database.url(), fixture, options)};
}
}  // namespace

ReplayRun replay_fixture_file(const std::string& name, const replay::ReplayOptions& options) {
    return run(replay::read_fixture_file(fixture_path(name)), options);
}

ReplayRun replay_fixture_json(const std::string& json, const replay::ReplayOptions& options) {
    return run(replay::parse_fixture(json, "inline fixture"), options);
}

bool matches_golden(const std::string& name, const ReplayRun& run, std::string& why) {
    const auto path = std::string(PF_SOURCE_DIR) + "/tests/replay/" + name + ".transcript.jsonl";
    const auto actual = run.text();
    if (const char* update = std::getenv("PF_UPDATE_GOLDEN");
        update && std::string(update) == "1") {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
        return true;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        why = path + " is missing (run the tests with PF_UPDATE_GOLDEN=1 to write it)";
        return false;
    }
    std::ostringstream expected;
    expected << in.rdbuf();
    if (expected.str() == actual) return true;
    std::istringstream a(expected.str()), b(actual);
    std::string la, lb;
    for (int line = 1;; ++line) {
        const bool ha = static_cast<bool>(std::getline(a, la));
        const bool hb = static_cast<bool>(std::getline(b, lb));
        if (!ha && !hb) break;
        if (!ha || !hb || la != lb) {
            why = path + " line " + std::to_string(line) + ":\n  golden:  " + (ha ? la : "<end>") +
                  "\n  replay:  " + (hb ? lb : "<end>") +
                  "\n(PF_UPDATE_GOLDEN=1 rewrites the golden files when the change is intended)";
            break;
        }
    }
    return false;
}

ReplayRun golden_replayed_twice(const std::string& name) {
    const auto first = replay_fixture_file(name);
    const auto second = replay_fixture_file(name);
    CHECK_MESSAGE(first.text() == second.text(), name << ": two replays differ");
    std::string why;
    CHECK_MESSAGE(matches_golden(name, first, why), why);
    return first;
}

}  // namespace pf::test
