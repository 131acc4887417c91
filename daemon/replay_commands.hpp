#pragma once
// `prospectflowd dump` and `prospectflowd replay`: record a queue as a
// fixture, replay a fixture on a virtual clock (docs/replay.md).

#include <string>
#include <vector>

namespace pf::daemon {

struct DumpOptions {
    std::string database_url, config_file;
    std::string organisation;  // id or slug
    std::vector<std::string> campaigns;
    std::string output;  // empty or "-": stdout
    std::string at;      // recorded_at override (RFC 3339)
    bool redact = false;
    std::string redact_key;
};

struct ReplayCommandOptions {
    std::string fixture;
    std::string database_url;  // a server to make the scratch database on; empty: embedded
    std::string from, until;
    std::string transcript;  // empty or "-": stdout
    bool keep_database = false;
};

int dump_command(const DumpOptions& options);
int replay_command(const ReplayCommandOptions& options);

}  // namespace pf::daemon
