// adapters/imap_client against a real Dovecot on loopback, started by
// tests/shell/imap_client.sh through tests/shell/dovecot_fixture.sh, and a
// plain IMAP server without TLS (tests/shell/imap_plain_server.py). Ports,
// CA files and the fixture come from the environment; the users and
// passwords are the ones imap_client.sh starts Dovecot with (one user per
// case that saves mail, so that the cases do not see each other's
// messages). Messages are saved with `dovecot_fixture.sh save` (doveadm),
// as another process would deliver them.

#include "adapters/imap_client.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace pf::adapters;
using namespace std::chrono_literals;

namespace {

std::string env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value)
        throw std::runtime_error(std::string(name) + " is not set: run tests/shell/imap_client.sh");
    return value;
}

int env_port(const char* name) {
    return std::stoi(env(name));
}

ImapEndpoint tls_endpoint() {
    ImapEndpoint e;
    e.host = "127.0.0.1";
    e.port = env_port("IMAPS_PORT");
    e.security = ImapSecurity::tls;
    e.ca_file = env("CA_FILE");
    e.timeout = 10s;
    return e;
}

ImapEndpoint starttls_endpoint() {
    ImapEndpoint e = tls_endpoint();
    e.port = env_port("IMAP_PORT");
    e.security = ImapSecurity::starttls;
    return e;
}

ImapCredentials password(const std::string& user, const std::string& secret) {
    return ImapCredentials{user, ImapAuthKind::password, secret};
}

// Runs `dovecot_fixture.sh ARGS` and returns what it printed; throws when
// it fails, so a broken fixture fails the case instead of passing it.
std::string fixture(const std::string& args) {
    const std::string command = env("PF_DOVECOT_FIXTURE") + " " + args + " " + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    REQUIRE(pipe);
    std::string out;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe.get())) out.append(buffer, n);
    const int status = pclose(pipe.release());
    if (status != 0) throw std::runtime_error("dovecot_fixture.sh " + args + " failed: " + out);
    return out;
}

std::string dir() {
    return env("PF_DOVECOT_DIR");
}

std::string message(const std::string& subject, const std::string& body = "Hello.\r\n") {
    return "From: prospect@customer.test\r\nTo: sales@acme.test\r\nSubject: " + subject +
           "\r\nMessage-ID: <" + subject + "@customer.test>\r\n\r\n" + body;
}

void save(const std::string& user, const std::string& folder, const std::string& raw) {
    const std::string path = dir() + "/pending-" + std::to_string(std::rand()) + ".eml";
    {
        std::ofstream out(path, std::ios::binary);
        out << raw;
    }
    fixture("save " + dir() + " " + user + " " + folder + " " + path);
    std::remove(path.c_str());
}

std::string flags(const std::string& user, const std::string& folder) {
    return fixture("flags " + dir() + " " + user + " " + folder);
}

std::unique_ptr<ImapSession> session_for(const std::string& user, const std::string& secret) {
    auto session = std::make_unique<ImapSession>(tls_endpoint());
    session->login(password(user, secret));
    return session;
}

template <typename F>
ImapError imap_error_of(F&& f) {
    try {
        f();
    } catch (const ImapError& e) {
        return e;
    }
    FAIL("no ImapError was thrown");
    return ImapError(ImapFailure::protocol, "unreachable");
}

}  // namespace

TEST_CASE("imap: TLS login, capabilities, EXAMINE INBOX") {
    ImapSession session(tls_endpoint());
    session.login(password("sales@acme.test", "secret1"));
    CHECK(session.has_idle());
    CHECK(session.has_condstore());
    const ImapFolderState inbox = session.examine("INBOX");
    CHECK(inbox.uidvalidity > 0);
    CHECK(inbox.uidnext >= 1);
    CHECK(session.examine("Spam").uidvalidity > 0);
    CHECK(session.examine("Archive").uidvalidity > 0);
    session.noop();
}

TEST_CASE("imap: the name in the certificate is checked, as a DNS name too") {
    ImapEndpoint e = tls_endpoint();
    e.host = "localhost";  // the server certificate names DNS:localhost and IP:127.0.0.1
    ImapSession session(e);
    session.login(password("sales@acme.test", "secret1"));
    CHECK(session.examine("INBOX").uidvalidity > 0);
}

TEST_CASE("imap: a certificate for another name is refused") {
    ImapEndpoint e = tls_endpoint();
    e.host = "127.0.0.2";  // Dovecot listens there too, with the 127.0.0.1 certificate
    const ImapError error = imap_error_of([&] { ImapSession session(e); });
    INFO(std::string(error.what()));
    CHECK(error.failure() == ImapFailure::connection);
    CHECK(std::string(error.what()).find("certificate verification refused") != std::string::npos);
    e.verify_peer = false;
    ImapSession unverified(e);
    unverified.login(password("sales@acme.test", "secret1"));
}

TEST_CASE("imap: STARTTLS login") {
    ImapSession session(starttls_endpoint());
    session.login(password("ops@acme.test", "secret2"));
    CHECK(session.examine("INBOX").uidvalidity > 0);
}

TEST_CASE("imap: a wrong password is an authentication error with the server's words") {
    ImapSession session(tls_endpoint());
    const ImapError e = imap_error_of([&] { session.login(password("sales@acme.test", "wrong")); });
    INFO(std::string(e.what()));
    CHECK(e.failure() == ImapFailure::authentication);
    CHECK(std::string(e.what()).find("Authentication failed") != std::string::npos);
}

TEST_CASE("imap: XOAUTH2 with a token the server accepts, and one it does not") {
    ImapSession session(tls_endpoint());
    session.login(ImapCredentials{"sales@acme.test", ImapAuthKind::xoauth2, "tok-sales-1"});
    CHECK(session.examine("INBOX").uidvalidity > 0);

    ImapSession refused(tls_endpoint());
    const auto started = std::chrono::steady_clock::now();
    const ImapError e = imap_error_of([&] {
        refused.login(ImapCredentials{"sales@acme.test", ImapAuthKind::xoauth2, "revoked"});
    });
    INFO(std::string(e.what()));
    CHECK(e.failure() == ImapFailure::authentication);
    // The server's challenge with the error is answered, not waited out.
    CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("imap: a certificate from another CA is refused, over TLS and STARTTLS") {
    for (ImapEndpoint e : {tls_endpoint(), starttls_endpoint()}) {
        e.ca_file = env("WRONG_CA_FILE");
        const ImapError error = imap_error_of([&] { ImapSession session(e); });
        INFO(std::string(error.what()));
        CHECK(error.failure() == ImapFailure::connection);
        CHECK(std::string(error.what()).find("certificate verification refused") !=
              std::string::npos);
    }
    // The same endpoint with verification off connects: the refusal above
    // was the verification's.
    ImapEndpoint unverified = tls_endpoint();
    unverified.ca_file = env("WRONG_CA_FILE");
    unverified.verify_peer = false;
    ImapSession session(unverified);
    session.login(password("sales@acme.test", "secret1"));
}

TEST_CASE("imap: a CA file that does not exist is refused, not ignored") {
    ImapEndpoint e = tls_endpoint();
    e.ca_file = dir() + "/no-such-ca.pem";
    const ImapError error = imap_error_of([&] { ImapSession session(e); });
    CHECK(error.failure() == ImapFailure::connection);
}

TEST_CASE("imap: TLS required and the server has none") {
    SUBCASE("TLS to a plain IMAP port") {
        ImapEndpoint e = tls_endpoint();
        e.port = env_port("IMAP_PLAIN_PORT");
        CHECK(imap_error_of([&] { ImapSession session(e); }).failure() == ImapFailure::connection);
    }
    SUBCASE("STARTTLS with a server that does not offer it") {
        ImapEndpoint e = starttls_endpoint();
        e.port = env_port("IMAP_PLAIN_PORT");
        const ImapError error = imap_error_of([&] { ImapSession session(e); });
        CHECK(error.failure() == ImapFailure::connection);
        CHECK(std::string(error.what()).find("does not offer STARTTLS") != std::string::npos);
    }
    SUBCASE("nothing listening") {
        ImapEndpoint e = tls_endpoint();
        e.port = env_port("IMAP_CLOSED_PORT");
        CHECK(imap_error_of([&] { ImapSession session(e); }).failure() == ImapFailure::connection);
    }
}

TEST_CASE("imap: EXAMINE of a folder that does not exist is a protocol error") {
    auto session = session_for("sales@acme.test", "secret1");
    CHECK(imap_error_of([&] { session->examine("No/Such/Folder"); }).failure() ==
          ImapFailure::protocol);
}

TEST_CASE("imap: uids_after and fetch return the saved messages, and set no flag") {
    const std::string user = "fetch@acme.test";
    for (const char* subject : {"first", "second", "third"}) save(user, "INBOX", message(subject));
    save(user, "Spam", message("junk"));
    auto session = session_for(user, "secret3");
    const ImapFolderState inbox = session->examine("INBOX");
    CHECK(inbox.exists == 3);

    const std::vector<std::uint32_t> all = session->uids_after(0);
    REQUIRE(all.size() == 3);
    CHECK(session->uids_after(all[0]) == std::vector<std::uint32_t>{all[1], all[2]});
    // "n:*" matches the last message even when n is past it.
    CHECK(session->uids_after(all[2]).empty());
    CHECK(session->uids_after(all[2] + 100).empty());

    // In the order asked; a UID the server does not have is left out.
    const auto fetched = session->fetch({all[2], 999999, all[0], all[1]});
    REQUIRE(fetched.size() == 3);
    CHECK(fetched[0].uid == all[2]);
    CHECK(fetched[0].raw.find("Subject: third\r\n") != std::string::npos);
    CHECK(fetched[1].raw.find("Subject: first\r\n") != std::string::npos);
    CHECK(fetched[2].raw.find("Subject: second\r\n") != std::string::npos);
    CHECK(fetched[1].raw == message("first"));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    for (const FetchedMessage& m : fetched) CHECK(std::abs(m.internal_date_unix - now) < 600);

    const ImapFolderState spam = session->examine("Spam");
    CHECK(spam.exists == 1);
    const auto junk = session->fetch(session->uids_after(0));
    REQUIRE(junk.size() == 1);
    CHECK(junk[0].raw.find("Subject: junk") != std::string::npos);

    // EXAMINE and BODY.PEEK: nothing was marked \Seen (nor deleted, nor moved).
    const std::string inbox_flags = flags(user, "INBOX");
    CHECK(inbox_flags.find("\\Seen") == std::string::npos);
    CHECK(inbox_flags.find("\\Deleted") == std::string::npos);
    CHECK(fixture("count " + dir() + " " + user + " INBOX") == "3\n");
    CHECK(flags(user, "Spam").find("\\Seen") == std::string::npos);
}

TEST_CASE("imap: fetch in chunks of many UIDs keeps them all") {
    const std::string user = "many@acme.test";
    for (int i = 0; i < 120; ++i) save(user, "INBOX", message("bulk-" + std::to_string(i)));
    auto session = session_for(user, "secret7");
    session->examine("INBOX");
    const auto uids = session->uids_after(0);
    REQUIRE(uids.size() == 120);
    const auto fetched = session->fetch(uids);
    REQUIRE(fetched.size() == 120);
    for (std::size_t i = 0; i < fetched.size(); ++i) {
        CHECK(fetched[i].uid == uids[i]);
        CHECK(fetched[i].raw.find("Subject: bulk-" + std::to_string(i) + "\r\n") !=
              std::string::npos);
    }
}

TEST_CASE("imap: a 3 MB message is cut to max_bytes") {
    const std::string user = "big@acme.test";
    std::string body;
    const std::string line(76, 'x');
    while (body.size() < 3 * 1024 * 1024) body += line + "\r\n";
    const std::string raw = message("big", body);
    save(user, "INBOX", raw);
    auto session = session_for(user, "secret6");
    session->examine("INBOX");
    const auto uids = session->uids_after(0);
    REQUIRE(uids.size() == 1);

    const auto cut = session->fetch(uids, 100000);
    REQUIRE(cut.size() == 1);
    CHECK(cut[0].raw.size() == 100000);
    CHECK(cut[0].raw == raw.substr(0, 100000));

    const auto whole = session->fetch(uids);  // 4 MB by default
    REQUIRE(whole.size() == 1);
    CHECK(whole[0].raw == raw);
    CHECK(flags(user, "INBOX").find("\\Seen") == std::string::npos);
}

TEST_CASE("imap: uids_since searches by INTERNALDATE") {
    const std::string user = "since@acme.test";
    save(user, "INBOX", message("today-1"));
    save(user, "INBOX", message("today-2"));
    auto session = session_for(user, "secret8");
    session->examine("INBOX");
    const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    CHECK(session->uids_since(today - std::chrono::days{2}).size() == 2);
    CHECK(session->uids_since(today + std::chrono::days{2}).empty());
}

TEST_CASE("imap: IDLE wakes on new mail, stops when asked, times out") {
    const std::string user = "idle@acme.test";
    auto session = session_for(user, "secret4");
    REQUIRE(session->has_idle());
    session->examine("INBOX");
    std::atomic<bool> stop{false};

    SUBCASE("changed within 2 s of a delivery by another process") {
        std::thread deliverer([&] {
            std::this_thread::sleep_for(500ms);
            save(user, "INBOX", message("while-idle"));
        });
        const auto started = std::chrono::steady_clock::now();
        const IdleWake wake = session->idle(10s, stop);
        const auto waited = std::chrono::steady_clock::now() - started;
        deliverer.join();
        CHECK(wake == IdleWake::changed);
        CHECK(waited < 2500ms);
        CHECK(session->uids_after(0).size() >= 1);
    }
    SUBCASE("stopped promptly") {
        std::thread stopper([&] {
            std::this_thread::sleep_for(300ms);
            stop = true;
        });
        const auto started = std::chrono::steady_clock::now();
        const IdleWake wake = session->idle(10s, stop);
        const auto waited = std::chrono::steady_clock::now() - started;
        stopper.join();
        CHECK(wake == IdleWake::stopped);
        CHECK(waited < 1s);
        session->noop();  // IDLE ended cleanly: the session still works
    }
    SUBCASE("timeout after max_wait") {
        const auto started = std::chrono::steady_clock::now();
        const IdleWake wake = session->idle(700ms, stop);
        const auto waited = std::chrono::steady_clock::now() - started;
        CHECK(wake == IdleWake::timeout);
        CHECK(waited >= 700ms);
        CHECK(waited < 2s);
        session->noop();
    }
}

TEST_CASE("imap: a new UIDVALIDITY is seen on the next EXAMINE") {
    const std::string user = "uidv@acme.test";
    save(user, "INBOX", message("before-reset"));
    auto session = session_for(user, "secret5");
    const std::uint32_t before = session->examine("INBOX").uidvalidity;
    const std::uint32_t changed = before + 1000;
    fixture("uidvalidity " + dir() + " " + user + " INBOX " + std::to_string(changed));
    CHECK(session->examine("INBOX").uidvalidity == changed);
    // And from a new connection too.
    CHECK(session_for(user, "secret5")->examine("INBOX").uidvalidity == changed);
}

TEST_CASE("imap: a connection the server dropped surfaces as a connection error") {
    const std::string user = "kicked@acme.test";
    auto session = session_for(user, "secret9");
    session->examine("INBOX");
    session->noop();
    fixture("kick " + dir() + " " + user);
    std::this_thread::sleep_for(300ms);
    const ImapError e = imap_error_of([&] {
        session->noop();
        session->noop();  // the first may still read the server's BYE
    });
    INFO(std::string(e.what()));
    CHECK(e.failure() == ImapFailure::connection);
}
