#pragma once
// `prospectflowd mailbox encrypt`: the ciphertext the app stores in
// outreach.mailboxes.secret, made with the daemon's mailbox key.

#include <CLI/CLI.hpp>
#include <string>

namespace pf::daemon {

struct MailboxCommandOptions {
    std::string config_file;
};

// Adds `mailbox encrypt` to `app`; returns the `mailbox` subcommand.
CLI::App* add_mailbox_commands(CLI::App& app, MailboxCommandOptions& options);

// Runs the chosen `mailbox` subcommand; an exit code.
int mailbox_command(const CLI::App& mailbox, const MailboxCommandOptions& options);

}  // namespace pf::daemon
