#pragma once
// prospectflowctl: the operators' command line for the control port. Parses
// arguments, calls the daemon, prints tables (or the JSON with --json).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pf::ctl {

// Runs the command line; returns the process exit code: 0 done, 1 the
// daemon refused (its message is printed), 64 usage, 69 unreachable.
int run(int argc, char** argv);

// Human-readable renderings of the daemon's answers (tested on their own).
std::string format_status(const nlohmann::json& status);
std::string format_campaigns(const nlohmann::json& answer);
std::string format_mailboxes(const nlohmann::json& answer);
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

}  // namespace pf::ctl
