#pragma once
// The `file` adapter: one <message id>.eml per message in a directory, for
// development and tests. Writing is atomic (temporary file, then rename), so a
// reader never sees half a message, and a retry of the same message rewrites
// the same file instead of adding a second one.

#include <filesystem>

#include "adapters/send_adapter.hpp"

namespace pf::adapters {

class FileSender final : public SendAdapter {
  public:
    // Creates the directory when missing; throws std::runtime_error naming it
    // when it cannot be created or written.
    explicit FileSender(std::filesystem::path dir);

    std::string_view name() const override { return "file"; }
    SendResult send(const OutboundEmail& email) override;

    const std::filesystem::path& dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
};

}  // namespace pf::adapters
