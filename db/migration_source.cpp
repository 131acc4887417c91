#include "db/migration_source.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "db/embedded_migrations.hpp"
#include "db/flyway_checksum.hpp"

namespace pf::db {
namespace {

// Flyway reads migrations as UTF-8; a file that is not would be checksummed
// over replacement characters, so refuse it instead of guessing.
bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        const bool overlong =
            (extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += extra + 1;
    }
    return true;
}

}  // namespace

std::vector<MigrationScript> make_migration_scripts(
    std::vector<std::pair<std::string, std::string>> files) {
    std::vector<MigrationScript> scripts;
    scripts.reserve(files.size());
    for (auto& [name, content] : files) {
        if (!is_valid_utf8(content))
            throw MigrationSourceError("migration " + name + " is not valid UTF-8");
        auto parsed = parse_migration_file_name(name);
        const auto checksum = flyway_checksum(content);
        scripts.push_back(MigrationScript{std::move(parsed), std::move(content), checksum});
    }
    std::sort(scripts.begin(), scripts.end(),
              [](const auto& a, const auto& b) { return a.name.version < b.name.version; });
    for (std::size_t i = 1; i < scripts.size(); ++i) {
        if (scripts[i].name.version == scripts[i - 1].name.version) {
            throw MigrationSourceError("migrations " + scripts[i - 1].name.script + " and " +
                                       scripts[i].name.script + " have the same version " +
                                       scripts[i].name.version.display());
        }
    }
    return scripts;
}

std::vector<MigrationScript> embedded_migrations() {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& f : embedded_migration_files())
        files.emplace_back(std::string(f.name), std::string(f.content));
    return make_migration_scripts(std::move(files));
}

std::vector<MigrationScript> load_migrations_from_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        throw MigrationSourceError("migrations directory " + dir.string() + " does not exist");
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        if (!in) throw MigrationSourceError("cannot read migration " + entry.path().string());
        std::ostringstream content;
        content << in.rdbuf();
        files.emplace_back(entry.path().filename().string(), content.str());
    }
    if (files.empty()) throw MigrationSourceError("no *.sql migrations in " + dir.string());
    return make_migration_scripts(std::move(files));
}

}  // namespace pf::db
