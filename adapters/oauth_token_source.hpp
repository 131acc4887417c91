#pragma once
// OAuth 2.0 access tokens for xoauth2 mailboxes: the refresh-token grant
// (RFC 6749 section 6) against the mailbox's token endpoint, which is the
// same request for Google (https://oauth2.googleapis.com/token) and
// Microsoft (https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token).
// Tokens are cached per mailbox until shortly before they expire; a login
// that the server refuses with a cached token asks for a fresh one once.
// Thread-safe. Blocking: one HTTPS request per miss (about once an hour per
// mailbox).

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace pf::adapters {

struct OAuthClient {
    std::string token_url;
    std::string client_id, client_secret;
    std::string ca_file;  // extra CA bundle for the endpoint; empty: the system's
    long timeout_ms = 15000;
};

class OAuthError : public std::runtime_error {
  public:
    // refused: the endpoint said no (invalid_grant, invalid_client: the
    // mailbox needs its owner); else transient (network, 5xx).
    OAuthError(const std::string& what, bool refused)
        : std::runtime_error(what), refused_(refused) {}
    bool refused() const { return refused_; }

  private:
    bool refused_;
};

class OAuthTokenSource {
  public:
    // How long before expiry a cached token is no longer handed out.
    static constexpr std::chrono::seconds kExpiryMargin{120};

    // The access token for `mailbox` (a cache key); `fresh`: never the cached one.
    // Throws OAuthError; its message never contains a token.
    std::string access_token(const std::string& mailbox, const OAuthClient& client,
                             const std::string& refresh_token, bool fresh = false);
    // Forgets `mailbox`'s cached token (its refresh token changed).
    void forget(const std::string& mailbox);

  private:
    struct Cached {
        std::string token;
        std::chrono::steady_clock::time_point good_until;
    };
    std::mutex mutex_;
    std::map<std::string, Cached> cache_;
};

// Parses a token endpoint's answer: the token and its lifetime, or throws
// OAuthError with the endpoint's error code and description.
struct TokenAnswer {
    std::string access_token;
    std::chrono::seconds expires_in{3600};
};
TokenAnswer parse_token_answer(long http_status, const std::string& body,
                               const std::string& token_url);

}  // namespace pf::adapters
