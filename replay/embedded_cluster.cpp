#include "replay/embedded_cluster.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <vector>

namespace pf::replay {
namespace fs = std::filesystem;
namespace {

fs::path find_bindir() {
    if (const char* env = std::getenv("PF_PG_BINDIR"); env && *env) return env;
    std::vector<fs::path> candidates;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        if (fs::exists(entry.path() / "bin" / "initdb")) candidates.push_back(entry.path() / "bin");
    }
    if (candidates.empty())
        throw ClusterError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql (install "
            "postgresql, run scripts/setup-deps, or set PF_PG_BINDIR), or give --database-url");
    // Newest major version: compare the version directories numerically.
    std::sort(candidates.begin(), candidates.end(), [](const fs::path& a, const fs::path& b) {
        return std::atoi(a.parent_path().filename().c_str()) <
               std::atoi(b.parent_path().filename().c_str());
    });
    return candidates.back();
}

std::string tail_of(const fs::path& file, std::size_t max_lines) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string out;
    const auto from = lines.size() > max_lines ? lines.size() - max_lines : 0;
    for (auto i = from; i < lines.size(); ++i) out += lines[i] + "\n";
    return out;
}

}  // namespace

EmbeddedCluster::EmbeddedCluster() : bindir_(find_bindir()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/prospectflow-replay-XXXXXX";
    if (!mkdtemp(pattern.data()))
        throw ClusterError("cannot create a directory like " + pattern + ": " +
                           std::strerror(errno));
    home_ = pattern;
    if (home_.string().size() > 90) {
        fs::remove_all(home_);
        throw ClusterError("temporary directory path too long for a Unix socket: " +
                           home_.string());
    }
    if (geteuid() == 0) {
        const passwd* pw = getpwnam("postgres");
        if (!pw) pw = getpwnam("nobody");
        if (!pw) throw ClusterError("running as root and neither 'postgres' nor 'nobody' exists");
        owner_uid_ = static_cast<int>(pw->pw_uid);
        owner_gid_ = static_cast<int>(pw->pw_gid);
        if (chown(home_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
            throw ClusterError("cannot hand " + home_.string() + " to " + pw->pw_name);
    }
    const auto data = (home_ / "data").string();
    try {
        run({(bindir_ / "initdb").string(), "-D", data, "-U", "postgres", "--auth=trust", "-E",
             "UTF8", "--locale=C.UTF-8", "-N"},
            "initdb");
        run({(bindir_ / "pg_ctl").string(), "-D", data, "-l", (home_ / "server.log").string(), "-w",
             "-t", "60", "-o",
             "-c listen_addresses='' -c unix_socket_directories='" + home_.string() +
                 "' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                 " -c max_connections=20",
             "start"},
            "pg_ctl start");
        started_ = true;
    } catch (...) {
        std::error_code ec;
        fs::remove_all(home_, ec);
        throw;
    }
    url_ = "postgresql:///postgres?host=" + home_.string() + "&user=postgres";
}

EmbeddedCluster::~EmbeddedCluster() {
    if (started_) {
        try {
            run({(bindir_ / "pg_ctl").string(), "-D", (home_ / "data").string(), "-m", "immediate",
                 "-w", "-t", "60", "stop"},
                "pg_ctl stop");
        } catch (const std::exception&) {
            // Nothing more to do: the directory goes anyway.
        }
    }
    std::error_code ec;
    fs::remove_all(home_, ec);
}

void EmbeddedCluster::run(const std::vector<std::string>& argv, const std::string& what) {
    const auto log = home_ / (what.substr(0, what.find(' ')) + ".log");
    const pid_t pid = fork();
    if (pid < 0) throw ClusterError("fork failed for " + what);
    if (pid == 0) {
        // Child: drop to the cluster owner when root, output to the log.
        if (owner_uid_ >= 0) {
            if (setgroups(0, nullptr) != 0 || setgid(static_cast<gid_t>(owner_gid_)) != 0 ||
                setuid(static_cast<uid_t>(owner_uid_)) != 0)
                _exit(126);
        }
        const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::ostringstream msg;
        msg << what << " failed (" << argv[0] << ", exit "
            << (WIFEXITED(status) ? WEXITSTATUS(status) : -1) << "):\n"
            << tail_of(log, 15);
        if (what == "pg_ctl start") msg << tail_of(home_ / "server.log", 15);
        throw ClusterError(msg.str());
    }
}

}  // namespace pf::replay
