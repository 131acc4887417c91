#pragma once
// A fresh database on an existing server, dropped when the object dies
// (unless kept): replays on --database-url and the tests each get their own,
// so they never write into a database someone else uses.

#include <string>

namespace pf::db {

class ScratchDatabase {
  public:
    // `prefix` starts the name; the process id and a random number follow.
    ScratchDatabase(const std::string& server_url, const std::string& prefix, bool keep = false);
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }

  private:
    std::string server_url_, name_, url_;
    bool keep_;
};

// `url` (a URI or a key=value string) pointing at database `name` instead.
std::string with_database(const std::string& url, const std::string& name);

}  // namespace pf::db
