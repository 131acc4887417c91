#pragma once
// A small RAII client for one IMAP mailbox on libetpan: connect (TLS,
// STARTTLS or, only when configured, plain), log in (password or XOAUTH2),
// EXAMINE a folder (read-only: the server never sets \Seen for us), list
// UIDs after a cursor or since a date, fetch with BODY.PEEK[] and wait in
// IDLE. It never stores a flag, moves, expunges or deletes: the mailbox is a
// person's real inbox. One ImapSession belongs to one thread at a time.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace pf::adapters {

enum class ImapSecurity { tls, starttls, none };

struct ImapEndpoint {
    std::string host;
    int port = 993;
    ImapSecurity security = ImapSecurity::tls;
    // Verify the server's certificate and name; ca_file overrides the system
    // store (tests use a throwaway CA).
    bool verify_peer = true;
    std::string ca_file;
    std::chrono::seconds timeout{30};  // connect and each command
};

enum class ImapAuthKind { password, xoauth2 };

struct ImapCredentials {
    std::string username;
    ImapAuthKind kind = ImapAuthKind::password;
    std::string secret;  // the password, or an OAuth access token (xoauth2)
};

// Why an IMAP operation failed: the account (refused login, a token the
// server rejects), the connection (refused, reset, timed out, TLS), or the
// protocol (an answer we cannot use, a folder that does not exist).
enum class ImapFailure { authentication, connection, protocol };

class ImapError : public std::runtime_error {
  public:
    ImapError(ImapFailure failure, const std::string& what) : std::runtime_error(what), failure_(failure) {}
    ImapFailure failure() const { return failure_; }

  private:
    ImapFailure failure_;
};

struct ImapFolderState {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 0;  // 0 when the server did not say
    std::uint32_t exists = 0;
};

struct FetchedMessage {
    std::uint32_t uid = 0;
    std::string raw;                     // the whole message, as stored
    std::int64_t internal_date_unix = 0; // INTERNALDATE, 0 when absent
};

enum class IdleWake { changed, timeout, stopped };

class ImapSession {
  public:
    // Connects (and for STARTTLS, upgrades) or throws ImapError(connection).
    explicit ImapSession(const ImapEndpoint& endpoint);
    ~ImapSession();  // LOGOUT when possible, then frees the session
    ImapSession(const ImapSession&) = delete;
    ImapSession& operator=(const ImapSession&) = delete;

    // Throws ImapError(authentication) when the server refuses.
    void login(const ImapCredentials& credentials);
    // From CAPABILITY after login.
    bool has_idle() const;
    bool has_condstore() const;

    // EXAMINE: read-only selection. Throws ImapError(protocol) for a folder
    // that does not exist.
    ImapFolderState examine(const std::string& folder);
    // UID SEARCH UID (after+1):* in the examined folder, ascending; never
    // returns a UID <= after (a server answers "*" with the last message).
    std::vector<std::uint32_t> uids_after(std::uint32_t after);
    // UID SEARCH SINCE (a date, by INTERNALDATE) in the examined folder.
    std::vector<std::uint32_t> uids_since(std::chrono::sys_days since);
    // UID FETCH (UID INTERNALDATE BODY.PEEK[]), in the order given; UIDs the
    // server no longer has are left out. At most max_bytes of each message
    // are kept (a huge attachment never fills memory).
    std::vector<FetchedMessage> fetch(const std::vector<std::uint32_t>& uids,
                                      std::size_t max_bytes = 4 * 1024 * 1024);

    // IDLE on the examined folder until the server reports a change
    // (EXISTS), max_wait passes, or stop becomes true (checked every 200
    // ms); then DONE. Requires has_idle().
    IdleWake idle(std::chrono::milliseconds max_wait, const std::atomic<bool>& stop);
    // NOOP: keeps the connection alive and surfaces a dead one as ImapError.
    void noop();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace pf::adapters
