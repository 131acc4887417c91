#pragma once
// Replay fixtures: the rows behind a queue plus what to replay them with,
// as one versioned JSON document (docs/replay.md describes the format).
// Parsing checks the whole document and names the first thing wrong.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "db/fixture_store.hpp"
#include "scheduler/clock.hpp"

namespace date {
class time_zone;
}

namespace pf::replay {

using db::FixtureError;

inline constexpr const char* kFixtureFormat = "prospectflow-replay-fixture";
inline constexpr int kFixtureVersion = 1;

// How the engine runs during the replay; defaults are the daemon's.
struct ReplaySettings {
    std::uint64_t seed = 1;
    int batch_size = 100;
    int in_flight_chunk = 20;
    std::chrono::milliseconds retry_base{30000}, retry_max{3600000};
    std::chrono::milliseconds spacing_min{1000}, spacing_max{4000};
    bool resend_unknown = false;  // unknown_outcome = "resend"
    std::string message_id_domain;
};

// Something that happens at a virtual time during the replay.
struct ScriptedEvent {
    scheduler::TimePoint at;
    std::string type;  // reply, bounce, unsubscribe, open, pause, resume, adapter_failure
    std::string organisation_id, enrollment_id, campaign_id;
    // adapter_failure: how the next `count` sends (to `recipient` and from
    // `from`, if set) fail.
    std::string outcome;  // transient, permanent, authentication, connection
    int count = 1;
    std::string recipient, reason, from;
    std::string mailbox_id;  // mailbox_pause, mailbox_resume
    bool hard = true;       // bounce
    std::size_t index = 0;  // position in the fixture: orders events of one instant
};

struct Fixture {
    nlohmann::json document;
    std::optional<scheduler::TimePoint> recorded_at, from, until;
    std::optional<std::chrono::microseconds> duration;
    ReplaySettings settings;
    std::vector<ScriptedEvent> events;  // by time, then fixture order
};

Fixture parse_fixture(const std::string& text, const std::string& origin);
Fixture read_fixture_file(const std::filesystem::path& path);

// A fixture document from a dump (no scripted events, default settings).
nlohmann::json fixture_document(const db::QueueDump& dump, const std::string& organisation_id,
                                const std::vector<std::string>& campaign_ids);

// The "replay" section that runs the engine with `settings`.
nlohmann::json settings_document(const ReplaySettings& settings);

// Replaces personal data (names, addresses, company identity, message text
// that quotes them, replies) with pseudonyms derived from HMAC-SHA256 under
// `key`: the same value gets the same pseudonym everywhere and in every dump
// made with the same key.
void redact(nlohmann::json& document, const std::string& key);

// The rows to load, grouped by table and column set.
std::vector<db::TableRows> table_rows(const Fixture& fixture);

// RFC 3339 times ("2026-03-02T08:00:00Z", "2026-03-02T09:00:00+01:00").
scheduler::TimePoint parse_time(const std::string& text);
// "14d", "36h", "90m", "45s", or combined ("1d12h").
std::chrono::microseconds parse_duration(const std::string& text);
std::string format_utc(scheduler::TimePoint t);
std::string format_local(scheduler::TimePoint t, const date::time_zone* zone);

}  // namespace pf::replay
