#pragma once
// The prospectflowd command line: run, migrate, check-config, version.

namespace pf::daemon {

// Parses argv, runs the chosen subcommand and returns the exit code:
// 0 success, 1 failure, 64 usage error, 69 database unreachable,
// 78 bad configuration.
int main_with_args(int argc, char** argv);

}  // namespace pf::daemon
