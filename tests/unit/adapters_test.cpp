#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/file_sender.hpp"
#include "adapters/log_sender.hpp"

using namespace pf::adapters;

namespace {

OutboundEmail email_with_id(std::string id) {
    OutboundEmail email;
    email.message_id = std::move(id);
    email.rfc_message_id = email.message_id + "@mail.example";
    email.from_email = "camille@atelier.example";
    email.to_email = "elodie@client.example";
    email.subject = "Bonjour";
    email.mime = "Subject: Bonjour\r\n\r\nCorps\r\n";
    return email;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("file sender writes one .eml per message, byte for byte, and a retry rewrites it") {
    const auto dir = std::filesystem::temp_directory_path() / "pf-file-sender-test";
    std::filesystem::remove_all(dir);
    FileSender sender(dir / "outbox");
    const auto email = email_with_id("4f9c2a7e-0000-4000-8000-000000000001");
    const auto result = sender.send(email);
    CHECK(result.outcome == SendOutcome::sent);
    CHECK(read_file(dir / "outbox" / (email.message_id + ".eml")) == email.mime);

    CHECK(sender.send(email).outcome == SendOutcome::sent);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir / "outbox"))
        ++files;
    CHECK(files == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("file sender refuses ids that would escape its directory, and empty messages") {
    const auto dir = std::filesystem::temp_directory_path() / "pf-file-sender-test2";
    FileSender sender(dir);
    CHECK(sender.send(email_with_id("../escape")).outcome == SendOutcome::permanent_failure);
    auto empty = email_with_id("abc");
    empty.mime.clear();
    const auto result = sender.send(empty);
    CHECK(result.outcome == SendOutcome::permanent_failure);
    CHECK(result.reason.find("MIME") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("file sender names an unusable directory") {
    CHECK_THROWS_WITH_AS(FileSender("/proc/pf-cannot-exist/outbox"),
                         doctest::Contains("adapters.file.dir"), std::runtime_error);
}

TEST_CASE("log sender sends nothing and counts") {
    LogSender sender;
    CHECK(sender.send(email_with_id("x1")).outcome == SendOutcome::sent);
    CHECK(sender.send(email_with_id("x2")).outcome == SendOutcome::sent);
    CHECK(sender.sent_count() == 2);
}
