#include "db/flyway_naming.hpp"

#include <algorithm>

namespace pf::db {
namespace {

constexpr std::string_view kPrefix = "V";
constexpr std::string_view kSeparator = "__";
constexpr std::string_view kSuffix = ".sql";

std::string strip_leading_zeros(std::string_view digits) {
    const auto first = digits.find_first_not_of('0');
    return first == std::string_view::npos ? std::string("0") : std::string(digits.substr(first));
}

}  // namespace

MigrationVersion MigrationVersion::parse(std::string_view text) {
    MigrationVersion version;
    version.display_.assign(text);
    std::replace(version.display_.begin(), version.display_.end(), '_', '.');
    if (version.display_.empty()) throw MigrationNameError("empty migration version");

    std::string_view rest = version.display_;
    while (true) {
        const auto dot = rest.find('.');
        const auto part = rest.substr(0, dot);
        if (part.empty() ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            throw MigrationNameError("version '" + std::string(text) +
                                     "' has a part that is not a number: '" + std::string(part) +
                                     "'");
        }
        version.parts_.push_back(strip_leading_zeros(part));
        if (dot == std::string_view::npos) break;
        rest = rest.substr(dot + 1);
    }
    while (version.parts_.size() > 1 && version.parts_.back() == "0") version.parts_.pop_back();
    return version;
}

std::strong_ordering MigrationVersion::operator<=>(const MigrationVersion& other) const {
    const auto n = std::max(parts_.size(), other.parts_.size());
    static const std::string zero = "0";
    for (std::size_t i = 0; i < n; ++i) {
        const auto& a = i < parts_.size() ? parts_[i] : zero;
        const auto& b = i < other.parts_.size() ? other.parts_[i] : zero;
        // Both have no leading zeros, so a longer number is a bigger one.
        if (a.size() != b.size()) return a.size() <=> b.size();
        if (const auto c = a.compare(b); c != 0) return c <=> 0;
    }
    return std::strong_ordering::equal;
}

MigrationName parse_migration_file_name(std::string_view file_name) {
    const auto fail = [&](const std::string& why) {
        return MigrationNameError("migration file name '" + std::string(file_name) + "': " + why +
                                  " (expected V<version>__<description>.sql)");
    };
    if (file_name.size() <= kSuffix.size() || !file_name.ends_with(kSuffix))
        throw fail("does not end in .sql");
    if (!file_name.starts_with(kPrefix)) throw fail("does not start with 'V'");

    auto name =
        file_name.substr(kPrefix.size(), file_name.size() - kPrefix.size() - kSuffix.size());
    const auto separator = name.find(kSeparator);
    const auto version_text = name.substr(0, separator);
    if (version_text.empty()) throw fail("has no version before '__'");

    MigrationVersion version = [&] {
        try {
            return MigrationVersion::parse(version_text);
        } catch (const MigrationNameError& e) {
            throw fail(e.what());
        }
    }();

    std::string description;
    if (separator != std::string_view::npos) {
        description.assign(name.substr(separator + kSeparator.size()));
        std::replace(description.begin(), description.end(), '_', ' ');
    }
    return MigrationName{std::move(version), std::move(description), std::string(file_name)};
}

std::string abbreviate_description(std::string_view description) {
    constexpr std::size_t kMax = 200;
    if (description.size() <= kMax) return std::string(description);
    return std::string(description.substr(0, kMax - 3)) + "...";
}

}  // namespace pf::db
