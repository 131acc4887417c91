#pragma once
// Replays in doctest tests: load a fixture (a file under tests/replay/ or an
// inline JSON string) into a scratch database of the test cluster, replay
// it, and compare the transcript with its golden file,
// tests/replay/<name>.transcript.jsonl. PF_UPDATE_GOLDEN=1 rewrites the
// golden files instead of comparing (for an intended change; review the diff).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "replay/replayer.hpp"

namespace pf::test {

struct ReplayRun {
    replay::ReplayResult result;
    std::string text() const;  // the transcript as written to a file
    // The transcript's events, parsed; only those of `kind` when given.
    std::vector<nlohmann::json> events(const std::string& kind = {}) const;
};

ReplayRun replay_fixture_file(const std::string& name, const replay::ReplayOptions& options = {});
ReplayRun replay_fixture_json(const std::string& json, const replay::ReplayOptions& options = {});

// True when the transcript matches tests/replay/<name>.transcript.jsonl (or
// was rewritten); else false, with a diff-like first difference in `why`.
bool matches_golden(const std::string& name, const ReplayRun& run, std::string& why);

std::string fixture_path(const std::string& name);

// Replays tests/replay/<name>.json twice: the transcripts must be
// byte-identical and match the golden file (doctest CHECKs). Returns the first.
ReplayRun golden_replayed_twice(const std::string& name);

}  // namespace pf::test
