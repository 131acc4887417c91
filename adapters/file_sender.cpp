#include "adapters/file_sender.hpp"

#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

namespace pf::adapters {
namespace {

// Message ids become file names: refuse anything that could leave the directory.
bool is_safe_file_stem(std::string_view id) {
    if (id.empty() || id.size() > 200) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

FileSender::FileSender(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) {
        throw std::runtime_error("adapters.file.dir: cannot create " + dir_.string() + ": " +
                                 ec.message());
    }
    if (::access(dir_.c_str(), W_OK | X_OK) != 0) {
        throw std::runtime_error("adapters.file.dir: " + dir_.string() + " is not writable");
    }
}

SendResult FileSender::send(const OutboundEmail& email) {
    if (!is_safe_file_stem(email.message_id))
        return SendResult::permanent("message id '" + email.message_id +
                                     "' cannot be used as a file name");
    if (email.mime.empty()) return SendResult::permanent("message has no rendered MIME content");

    const auto target = dir_ / (email.message_id + ".eml");
    const auto temporary = dir_ / ("." + email.message_id + ".eml.tmp");
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(email.mime.data(), static_cast<std::streamsize>(email.mime.size()));
        out.flush();
        if (!out) {
            return SendResult::transient("cannot write " + temporary.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, target, ec);
    if (ec)
        return SendResult::transient("cannot rename to " + target.string() + ": " + ec.message());
    return SendResult::sent(target.filename().string());
}

}  // namespace pf::adapters
