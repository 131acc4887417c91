#pragma once
// SQL files compiled into the binary (see embed_files.cmake): the
// migrations, and the engine's statements (db/statements, read through
// db/statement_catalog.hpp).

#include <span>
#include <string_view>

namespace pf::db {

struct EmbeddedFile {
    std::string_view name;
    std::string_view content;
};

std::span<const EmbeddedFile> embedded_migration_files();
std::span<const EmbeddedFile> embedded_statement_files();

}  // namespace pf::db
