#include "daemon/mailbox_commands.hpp"

#include <iostream>
#include <iterator>

#include "adapters/mailbox_secret.hpp"
#include "daemon/command_support.hpp"
#include "daemon/exit_codes.hpp"

namespace pf::daemon {

CLI::App* add_mailbox_commands(CLI::App& app, MailboxCommandOptions& options) {
    auto* mailbox = app.add_subcommand("mailbox", "Sender mailbox tools");
    mailbox->require_subcommand(1);
    auto* encrypt = mailbox->add_subcommand(
        "encrypt",
        "Read a mailbox password or OAuth refresh token on standard input and print the value "
        "to store in outreach.mailboxes.secret (AES-256-GCM under the mailbox key)");
    encrypt
        ->add_option("-c,--config", options.config_file,
                     "TOML configuration file ([mailboxes] secret_key_file)")
        ->check(CLI::ExistingFile);
    return mailbox;
}

namespace {

int encrypt_command(const MailboxCommandOptions& options) {
    const auto config = file_or_default_config(options.config_file);
    const auto& m = config.mailboxes;
    if (m.secret_key.empty()) {
        std::cerr << "no mailbox key: set PROSPECTFLOW_MAILBOX_KEY, [mailboxes] "
                     "secret_key_file, or the systemd credential mailbox-key\n";
        return kExitConfig;
    }
    std::string secret((std::istreambuf_iterator<char>(std::cin)),
                       std::istreambuf_iterator<char>());
    // One trailing newline, as `echo secret |` adds.
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) {
        std::cerr << "nothing to encrypt: give the secret on standard input\n";
        return kExitUsage;
    }
    try {
        const auto key = adapters::MailboxKey::parse(m.secret_key, m.key_origin);
        std::cout << adapters::encrypt_mailbox_secret(key, secret) << "\n";
    } catch (const adapters::MailboxSecretError& e) {
        std::cerr << e.what() << "\n";
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace

int mailbox_command(const CLI::App& mailbox, const MailboxCommandOptions& options) {
    if (mailbox.got_subcommand("encrypt")) return encrypt_command(options);
    return kExitUsage;
}

}  // namespace pf::daemon
