#pragma once
// Process-wide logging: text to the terminal by default, one JSON object per
// line (log.format = "json") for log shippers, and journal entries with
// fields when systemd connected stderr to the journal.

#include <string>

namespace pf::daemon {

void setup_logging(const std::string& level, const std::string& format);

// Whether JOURNAL_STREAM ("device:inode", set by systemd) names the stream
// with this device and inode: the documented test for "stderr is the journal".
bool stderr_is_journal(const char* journal_stream, unsigned long long device,
                       unsigned long long inode);

}  // namespace pf::daemon
