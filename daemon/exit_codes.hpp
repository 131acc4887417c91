#pragma once
// Process exit codes, from sysexits.h where one fits, so that systemd units
// and scripts can tell a bad configuration (do not restart) from an outage.

namespace pf::daemon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // a migration failed, the schema is behind
inline constexpr int kExitUsage = 64;        // EX_USAGE: bad command line
inline constexpr int kExitDataError = 65;    // EX_DATAERR: a bad replay fixture
inline constexpr int kExitUnavailable = 69;  // EX_UNAVAILABLE: database unreachable
inline constexpr int kExitConfig = 78;       // EX_CONFIG: bad configuration

}  // namespace pf::daemon
