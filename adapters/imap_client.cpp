#include "adapters/imap_client.hpp"

#include <arpa/inet.h>
#include <libetpan/libetpan.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <limits>
#include <map>

namespace pf::adapters {
namespace {

// Fetching this many UIDs per UID FETCH bounds what one answer can hold
// (each message is cut to max_bytes by the server with a partial fetch).
constexpr std::size_t fetch_chunk = 50;
constexpr std::chrono::milliseconds idle_slice{200};

struct SetDeleter {
    void operator()(mailimap_set* set) const { mailimap_set_free(set); }
};
struct SearchKeyDeleter {
    void operator()(mailimap_search_key* key) const { mailimap_search_key_free(key); }
};
struct FetchTypeDeleter {
    void operator()(mailimap_fetch_type* type) const { mailimap_fetch_type_free(type); }
};
struct SearchResultDeleter {
    void operator()(clist* result) const { mailimap_search_result_free(result); }
};
struct FetchListDeleter {
    void operator()(clist* list) const { mailimap_fetch_list_free(list); }
};
struct CapabilityDeleter {
    void operator()(mailimap_capability_data* data) const { mailimap_capability_data_free(data); }
};
using SetPtr = std::unique_ptr<mailimap_set, SetDeleter>;
using SearchKeyPtr = std::unique_ptr<mailimap_search_key, SearchKeyDeleter>;
using FetchTypePtr = std::unique_ptr<mailimap_fetch_type, FetchTypeDeleter>;
using SearchResultPtr = std::unique_ptr<clist, SearchResultDeleter>;
using FetchListPtr = std::unique_ptr<clist, FetchListDeleter>;
using CapabilityPtr = std::unique_ptr<mailimap_capability_data, CapabilityDeleter>;

// A write to a connection the server closed raises SIGPIPE, whose default
// action ends the process, and libetpan (over GnuTLS) sends without
// MSG_NOSIGNAL. While a guard lives, the calling thread blocks SIGPIPE; one
// raised meanwhile is consumed before the old mask comes back, so the
// write just fails (EPIPE) and surfaces as ImapError(connection). Nothing
// process-wide changes.
class SigpipeGuard {
  public:
    SigpipeGuard() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    }
    ~SigpipeGuard() {
        if (!was_pending_) {
            const timespec no_wait{0, 0};
            while (sigtimedwait(&pipe_, nullptr, &no_wait) == SIGPIPE) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

  private:
    sigset_t pipe_;
    sigset_t old_;
    bool was_pending_ = false;
};

// The session's destructor: LOGOUT is a courtesy (the server may be gone,
// so its error is ignored), mailimap_free closes the stream.
struct SessionDeleter {
    void operator()(mailimap* imap) const {
        SigpipeGuard guard;
        if (imap->imap_stream != nullptr) {
            mailimap_logout(imap);
        }
        mailimap_free(imap);
    }
};
using SessionPtr = std::unique_ptr<mailimap, SessionDeleter>;

bool succeeded(int r) {
    return r == MAILIMAP_NO_ERROR || r == MAILIMAP_NO_ERROR_AUTHENTICATED ||
           r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
}

bool is_network_error(int r) {
    return r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_CONNECTION_REFUSED ||
           r == MAILIMAP_ERROR_SSL || r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION;
}

// The text of the server's last tagged answer ("Authentication failed.";
// libetpan keeps the text without its [CODE]), when there was one.
std::string server_text(mailimap* imap) {
    if (imap->imap_response == nullptr || imap->imap_response[0] == '\0') {
        return {};
    }
    return std::string(": ") + imap->imap_response;
}

// libetpan does the TLS handshake with whatever library it was built on
// (Debian's uses GnuTLS, so the callback's OpenSSL context is NULL there)
// and checks no certificate itself. So the chain the server presented is
// verified here with OpenSSL, right after the handshake and before any
// credential is sent: trust (ca_file or the system store), validity and
// the name (an IP literal against an IP SAN, a name against a DNS SAN).
struct X509Deleter {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct X509StackDeleter {
    void operator()(STACK_OF(X509) * stack) const { sk_X509_pop_free(stack, X509_free); }
};
struct X509StoreDeleter {
    void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
struct X509StoreCtxDeleter {
    void operator()(X509_STORE_CTX* ctx) const { X509_STORE_CTX_free(ctx); }
};
struct ChainDeleter {
    void operator()(carray* chain) const { mailstream_certificate_chain_free(chain); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;
using X509StorePtr = std::unique_ptr<X509_STORE, X509StoreDeleter>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, X509StoreCtxDeleter>;
using ChainPtr = std::unique_ptr<carray, ChainDeleter>;

bool is_ip_literal(const std::string& host) {
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// The TLS callback: only SNI, so that a server with several names picks
// the right certificate (an IP literal is never sent as a server name).
void set_server_name(mailstream_ssl_context* context, void* data) {
    auto* host = static_cast<std::string*>(data);
    if (!is_ip_literal(*host)) {
        mailstream_ssl_set_server_name(context, host->data());
    }
}

X509Ptr parse_der(const MMAPString* der) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(der->str);
    return X509Ptr(d2i_X509(nullptr, &bytes, static_cast<long>(der->len)));
}

X509StorePtr trust_store(const std::string& ca_file) {
    X509StorePtr store(X509_STORE_new());
    const bool loaded = ca_file.empty() ? X509_STORE_set_default_paths(store.get()) == 1
                                        : X509_STORE_load_file(store.get(), ca_file.c_str()) == 1;
    return loaded ? std::move(store) : nullptr;
}

bool expect_host(X509_VERIFY_PARAM* param, const std::string& host) {
    if (is_ip_literal(host)) {
        return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
    }
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1;
}

// Why the chain (leaf first, as the server sent it) is not trusted for
// host, or empty when it is.
std::string chain_problem(carray* chain, const std::string& host, const std::string& ca_file) {
    if (chain == nullptr || carray_count(chain) == 0) {
        return "the server sent no certificate";
    }
    X509Ptr leaf = parse_der(static_cast<MMAPString*>(carray_get(chain, 0)));
    X509StackPtr intermediates(sk_X509_new_null());
    if (!leaf || !intermediates) {
        return "cannot parse the server certificate";
    }
    for (unsigned i = 1; i < carray_count(chain); ++i) {
        if (X509Ptr cert = parse_der(static_cast<MMAPString*>(carray_get(chain, i)))) {
            if (sk_X509_push(intermediates.get(), cert.get()) > 0) {
                cert.release();  // the stack owns it now
            }
        }
    }
    X509StorePtr store = trust_store(ca_file);
    if (!store) {
        return "cannot load CA certificates" +
               (ca_file.empty() ? std::string() : " from " + ca_file);
    }
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), intermediates.get()) != 1) {
        return "cannot set up certificate verification";
    }
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
    if (!expect_host(param, host)) {
        return "cannot check the name " + host;
    }
    if (X509_verify_cert(ctx.get()) != 1) {
        return X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    }
    return {};
}

bool has_capability(mailimap* imap, const char* name) {
    if (imap->imap_connection_info == nullptr ||
        imap->imap_connection_info->imap_capability == nullptr) {
        return false;
    }
    clist* caps = imap->imap_connection_info->imap_capability->cap_list;
    for (clistiter* it = clist_begin(caps); it != nullptr; it = clist_next(it)) {
        auto* cap = static_cast<struct mailimap_capability*>(clist_content(it));
        if (cap->cap_type == MAILIMAP_CAPABILITY_NAME && cap->cap_data.cap_name != nullptr &&
            strcasecmp(cap->cap_data.cap_name, name) == 0) {
            return true;
        }
    }
    return false;
}

// Asks CAPABILITY; libetpan keeps the answer in imap_connection_info too.
void refresh_capabilities(mailimap* imap) {
    mailimap_capability_data* raw = nullptr;
    const int r = mailimap_capability(imap, &raw);
    CapabilityPtr data(raw);
    if (!succeeded(r)) {
        throw ImapError(is_network_error(r) ? ImapFailure::connection : ImapFailure::protocol,
                        "IMAP CAPABILITY failed" + server_text(imap));
    }
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// INTERNALDATE "17-Jul-1996 02:44:25 -0700": libetpan gives the zone as
// the signed number -700.
std::int64_t to_unix(const mailimap_date_time& t) {
    const std::int64_t local = days_from_civil(t.dt_year, static_cast<unsigned>(t.dt_month),
                                               static_cast<unsigned>(t.dt_day)) *
                                   86400 +
                               t.dt_hour * 3600 + t.dt_min * 60 + t.dt_sec;
    const int zone = t.dt_zone < 0 ? -t.dt_zone : t.dt_zone;
    const std::int64_t offset = (zone / 100) * 3600 + (zone % 100) * 60;
    return t.dt_zone < 0 ? local + offset : local - offset;
}

std::vector<std::uint32_t> search_result_uids(clist* result) {
    std::vector<std::uint32_t> uids;
    for (clistiter* it = clist_begin(result); it != nullptr; it = clist_next(it)) {
        uids.push_back(*static_cast<std::uint32_t*>(clist_content(it)));
    }
    std::sort(uids.begin(), uids.end());
    return uids;
}

FetchTypePtr fetch_type_for(std::size_t max_bytes) {
    FetchTypePtr type(mailimap_fetch_type_new_fetch_att_list_empty());
    mailimap_fetch_type_new_fetch_att_list_add(type.get(), mailimap_fetch_att_new_uid());
    mailimap_fetch_type_new_fetch_att_list_add(type.get(), mailimap_fetch_att_new_internaldate());
    // BODY.PEEK[]<0.max_bytes>: PEEK never sets \Seen, the partial range
    // makes the server send no more than we keep.
    const auto size = static_cast<std::uint32_t>(
        std::min<std::size_t>(max_bytes, std::numeric_limits<std::uint32_t>::max()));
    mailimap_fetch_type_new_fetch_att_list_add(
        type.get(),
        mailimap_fetch_att_new_body_peek_section_partial(mailimap_section_new(nullptr), 0, size));
    return type;
}

FetchedMessage to_message(mailimap_msg_att* att, std::size_t max_bytes) {
    FetchedMessage message;
    for (clistiter* it = clist_begin(att->att_list); it != nullptr; it = clist_next(it)) {
        auto* item = static_cast<mailimap_msg_att_item*>(clist_content(it));
        if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC) {
            continue;
        }
        mailimap_msg_att_static* s = item->att_data.att_static;
        if (s->att_type == MAILIMAP_MSG_ATT_UID) {
            message.uid = s->att_data.att_uid;
        } else if (s->att_type == MAILIMAP_MSG_ATT_INTERNALDATE &&
                   s->att_data.att_internal_date != nullptr) {
            message.internal_date_unix = to_unix(*s->att_data.att_internal_date);
        } else if (s->att_type == MAILIMAP_MSG_ATT_BODY_SECTION &&
                   s->att_data.att_body_section != nullptr) {
            const mailimap_msg_att_body_section* body = s->att_data.att_body_section;
            if (body->sec_body_part != nullptr) {
                message.raw.assign(body->sec_body_part, std::min(body->sec_length, max_bytes));
            }
        }
    }
    return message;
}

}  // namespace

struct ImapSession::State {
    ImapEndpoint endpoint;
    SessionPtr imap;
    bool has_idle = false;
    bool has_condstore = false;
    bool examined = false;

    // Turns a libetpan result into ImapError: the network's errors are
    // the connection's, a NO/BAD or an unusable answer the protocol's.
    void check(int r, const std::string& command) const {
        if (succeeded(r)) {
            return;
        }
        const ImapFailure failure =
            is_network_error(r) ? ImapFailure::connection : ImapFailure::protocol;
        throw ImapError(failure, "IMAP " + command + " failed (libetpan error " +
                                     std::to_string(r) + ")" + server_text(imap.get()));
    }
    void require_examined(const char* command) const {
        if (!examined) {
            throw ImapError(ImapFailure::protocol,
                            std::string("IMAP ") + command + " before EXAMINE");
        }
    }
    void connect();
    void connect_tls();
    void connect_starttls();
    void connect_plain();
    void verify_certificate() const;
    std::string where() const { return endpoint.host + ":" + std::to_string(endpoint.port); }
    std::vector<std::uint32_t> search(SearchKeyPtr key);
    void fetch_chunk(const std::uint32_t* uids, std::size_t count, std::size_t max_bytes,
                     std::map<std::uint32_t, FetchedMessage>& into);
    IdleWake wait_in_idle(std::chrono::milliseconds max_wait, const std::atomic<bool>& stop) const;
};

void ImapSession::State::connect() {
    SigpipeGuard guard;
    imap.reset(mailimap_new(0, nullptr));
    if (!imap) {
        throw ImapError(ImapFailure::connection, "cannot allocate an IMAP session");
    }
    mailimap_set_timeout(imap.get(), static_cast<time_t>(endpoint.timeout.count()));
    switch (endpoint.security) {
        case ImapSecurity::tls:
            connect_tls();
            break;
        case ImapSecurity::starttls:
            connect_starttls();
            break;
        case ImapSecurity::none:
            connect_plain();
            break;
    }
}

void ImapSession::State::connect_tls() {
    const int r = mailimap_ssl_connect_with_callback(imap.get(), endpoint.host.c_str(),
                                                     static_cast<std::uint16_t>(endpoint.port),
                                                     set_server_name, &endpoint.host);
    if (!succeeded(r)) {
        throw ImapError(ImapFailure::connection, "IMAP TLS connect to " + where() +
                                                     " failed (libetpan error " +
                                                     std::to_string(r) + ")");
    }
    verify_certificate();
}

void ImapSession::State::connect_starttls() {
    connect_plain();
    refresh_capabilities(imap.get());
    if (!has_capability(imap.get(), "STARTTLS")) {
        throw ImapError(ImapFailure::connection,
                        "IMAP server " + where() + " does not offer STARTTLS");
    }
    const int r =
        mailimap_socket_starttls_with_callback(imap.get(), set_server_name, &endpoint.host);
    if (!succeeded(r)) {
        throw ImapError(ImapFailure::connection,
                        "IMAP STARTTLS with " + where() + " failed (libetpan error " +
                            std::to_string(r) + ")" + server_text(imap.get()));
    }
    verify_certificate();
}

void ImapSession::State::verify_certificate() const {
    if (!endpoint.verify_peer) {
        return;
    }
    ChainPtr chain(mailstream_get_certificate_chain(imap->imap_stream));
    const std::string problem = chain_problem(chain.get(), endpoint.host, endpoint.ca_file);
    if (!problem.empty()) {
        throw ImapError(
            ImapFailure::connection,
            "IMAP server " + where() + ": certificate verification refused: " + problem);
    }
}

void ImapSession::State::connect_plain() {
    const int r = mailimap_socket_connect(imap.get(), endpoint.host.c_str(),
                                          static_cast<std::uint16_t>(endpoint.port));
    if (!succeeded(r)) {
        throw ImapError(
            ImapFailure::connection,
            "IMAP connect to " + where() + " failed (libetpan error " + std::to_string(r) + ")");
    }
}

ImapSession::ImapSession(const ImapEndpoint& endpoint) : state_(std::make_unique<State>()) {
    state_->endpoint = endpoint;
    state_->connect();
}

ImapSession::~ImapSession() = default;

void ImapSession::login(const ImapCredentials& credentials) {
    SigpipeGuard guard;
    mailimap* imap = state_->imap.get();
    const int r =
        credentials.kind == ImapAuthKind::xoauth2
            ? mailimap_oauth2_authenticate(imap, credentials.username.c_str(),
                                           credentials.secret.c_str())
            : mailimap_login(imap, credentials.username.c_str(), credentials.secret.c_str());
    if (!succeeded(r)) {
        const ImapFailure failure =
            is_network_error(r) ? ImapFailure::connection : ImapFailure::authentication;
        throw ImapError(failure, "IMAP login as " + credentials.username +
                                     " refused (libetpan error " + std::to_string(r) + ")" +
                                     server_text(imap));
    }
    refresh_capabilities(imap);
    state_->has_idle = mailimap_has_idle(imap) != 0;
    state_->has_condstore = mailimap_has_condstore(imap) != 0;
}

bool ImapSession::has_idle() const {
    return state_->has_idle;
}

bool ImapSession::has_condstore() const {
    return state_->has_condstore;
}

ImapFolderState ImapSession::examine(const std::string& folder) {
    SigpipeGuard guard;
    state_->examined = false;
    state_->check(mailimap_examine(state_->imap.get(), folder.c_str()), "EXAMINE " + folder);
    const mailimap_selection_info* info = state_->imap->imap_selection_info;
    if (info == nullptr || info->sel_uidvalidity == 0) {
        throw ImapError(ImapFailure::protocol, "IMAP EXAMINE " + folder + " gave no UIDVALIDITY");
    }
    state_->examined = true;
    return ImapFolderState{info->sel_uidvalidity, info->sel_uidnext, info->sel_exists};
}

std::vector<std::uint32_t> ImapSession::State::search(SearchKeyPtr key) {
    SigpipeGuard guard;
    clist* raw = nullptr;
    const int r = mailimap_uid_search(imap.get(), nullptr, key.get(), &raw);
    SearchResultPtr result(raw);
    check(r, "UID SEARCH");
    return search_result_uids(result.get());
}

std::vector<std::uint32_t> ImapSession::uids_after(std::uint32_t after) {
    state_->require_examined("UID SEARCH");
    if (after == std::numeric_limits<std::uint32_t>::max()) {
        return {};
    }
    // In a set, 0 stands for "*": (after+1):*.
    SearchKeyPtr key(mailimap_search_key_new_uid(mailimap_set_new_interval(after + 1, 0)));
    std::vector<std::uint32_t> uids = state_->search(std::move(key));
    // "n:*" always matches the last message, even when its UID is below n.
    uids.erase(std::remove_if(uids.begin(), uids.end(),
                              [after](std::uint32_t uid) { return uid <= after; }),
               uids.end());
    return uids;
}

std::vector<std::uint32_t> ImapSession::uids_since(std::chrono::sys_days since) {
    state_->require_examined("UID SEARCH");
    const std::chrono::year_month_day ymd{since};
    mailimap_date* date = mailimap_date_new(static_cast<int>(static_cast<unsigned>(ymd.day())),
                                            static_cast<int>(static_cast<unsigned>(ymd.month())),
                                            static_cast<int>(ymd.year()));
    SearchKeyPtr key(mailimap_search_key_new_since(date));
    return state_->search(std::move(key));
}

void ImapSession::State::fetch_chunk(const std::uint32_t* uids, std::size_t count,
                                     std::size_t max_bytes,
                                     std::map<std::uint32_t, FetchedMessage>& into) {
    SigpipeGuard guard;
    SetPtr set(mailimap_set_new_empty());
    for (std::size_t i = 0; i < count; ++i) {
        if (mailimap_set_add_single(set.get(), uids[i]) != MAILIMAP_NO_ERROR) {
            throw ImapError(ImapFailure::protocol, "cannot build a UID set");
        }
    }
    FetchTypePtr type = fetch_type_for(max_bytes);
    clist* raw = nullptr;
    const int r = mailimap_uid_fetch(imap.get(), set.get(), type.get(), &raw);
    FetchListPtr list(raw);
    check(r, "UID FETCH");
    for (clistiter* it = clist_begin(list.get()); it != nullptr; it = clist_next(it)) {
        FetchedMessage message =
            to_message(static_cast<mailimap_msg_att*>(clist_content(it)), max_bytes);
        if (message.uid != 0) {
            into[message.uid] = std::move(message);
        }
    }
}

std::vector<FetchedMessage> ImapSession::fetch(const std::vector<std::uint32_t>& uids,
                                               std::size_t max_bytes) {
    state_->require_examined("UID FETCH");
    std::vector<FetchedMessage> messages;
    for (std::size_t start = 0; start < uids.size(); start += fetch_chunk) {
        const std::size_t count = std::min(fetch_chunk, uids.size() - start);
        std::map<std::uint32_t, FetchedMessage> found;
        state_->fetch_chunk(uids.data() + start, count, max_bytes, found);
        // Back in the order asked; UIDs the server no longer has are left out.
        for (std::size_t i = start; i < start + count; ++i) {
            auto hit = found.find(uids[i]);
            if (hit != found.end()) {
                messages.push_back(std::move(hit->second));
                found.erase(hit);
            }
        }
    }
    return messages;
}

// Waits in 200 ms slices so that stop is seen promptly; any data from the
// server during IDLE (EXISTS, EXPUNGE, FETCH) counts as a change.
IdleWake ImapSession::State::wait_in_idle(std::chrono::milliseconds max_wait,
                                          const std::atomic<bool>& stop) const {
    const int fd = mailimap_idle_get_fd(imap.get());
    if (fd < 0) {
        return IdleWake::changed;  // nothing to wait on: let the caller look
    }
    const auto deadline = std::chrono::steady_clock::now() + max_wait;
    while (!stop.load()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return IdleWake::timeout;
        }
        pollfd pfd{fd, POLLIN, 0};
        const int ready = poll(&pfd, 1, static_cast<int>(std::min(left, idle_slice).count()));
        if (ready > 0) {
            return IdleWake::changed;  // readable, or hung up: DONE tells which
        }
        if (ready < 0 && errno != EINTR) {
            return IdleWake::changed;
        }
    }
    return IdleWake::stopped;
}

IdleWake ImapSession::idle(std::chrono::milliseconds max_wait, const std::atomic<bool>& stop) {
    SigpipeGuard guard;
    state_->require_examined("IDLE");
    if (!state_->has_idle) {
        throw ImapError(ImapFailure::protocol, "IMAP server does not offer IDLE");
    }
    state_->check(mailimap_idle(state_->imap.get()), "IDLE");
    const IdleWake wake = state_->wait_in_idle(max_wait, stop);
    // DONE ends IDLE on every path and reads what the server sent meanwhile;
    // a dead connection surfaces here.
    state_->check(mailimap_idle_done(state_->imap.get()), "DONE");
    return wake;
}

void ImapSession::noop() {
    SigpipeGuard guard;
    state_->check(mailimap_noop(state_->imap.get()), "NOOP");
}

}  // namespace pf::adapters
