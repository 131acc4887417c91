#pragma once
// The db/migrations files compiled into the binary (see embed_migrations.cmake).

#include <span>
#include <string_view>

namespace pf::db {

struct EmbeddedFile {
    std::string_view name;
    std::string_view content;
};

std::span<const EmbeddedFile> embedded_migration_files();

}  // namespace pf::db
