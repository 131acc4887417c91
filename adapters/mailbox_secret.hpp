#pragma once
// Mailbox secrets (SMTP/IMAP passwords, OAuth refresh tokens) are stored in
// outreach.mailboxes.secret encrypted with AES-256-GCM under the daemon's
// mailbox key, as "pfsec1:" + base64(nonce[12] || ciphertext || tag[16]).
// GCM's tag makes a wrong key and a tampered value fail the same way: an
// error, never a wrong plaintext. The plaintext lives only in memory, for
// the time of one login; nothing here logs it.

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pf::adapters {

// A 256-bit key, parsed from 64 hex digits (`openssl rand -hex 32`) or the
// base64 of 32 bytes (`openssl rand -base64 32`), surrounding whitespace ignored.
class MailboxKey {
  public:
    using Bytes = std::array<std::uint8_t, 32>;
    // Throws MailboxSecretError naming `origin` when `text` is none of those.
    static MailboxKey parse(std::string_view text, const std::string& origin);
    const Bytes& bytes() const { return bytes_; }

  private:
    explicit MailboxKey(const Bytes& bytes) : bytes_(bytes) {}
    Bytes bytes_{};
};

class MailboxSecretError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A fresh random nonce per call: the same secret encrypts differently each time.
std::string encrypt_mailbox_secret(const MailboxKey& key, std::string_view plaintext);
// Throws MailboxSecretError ("not a prospectflow secret", "wrong key or
// tampered value") without saying anything about the value.
std::string decrypt_mailbox_secret(const MailboxKey& key, std::string_view stored);

}  // namespace pf::adapters
