#include "db/flyway_checksum.hpp"

#include <zlib.h>

namespace pf::db {

std::int32_t flyway_checksum(std::string_view content) {
    constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
    if (content.starts_with(kUtf8Bom)) content.remove_prefix(kUtf8Bom.size());

    // CRC-32 over the concatenated lines equals CRC-32 over the content with
    // every CR and LF removed, so feed the runs between them.
    uLong crc = crc32(0L, Z_NULL, 0);
    std::size_t start = 0;
    while (start < content.size()) {
        auto end = content.find_first_of("\r\n", start);
        if (end == std::string_view::npos) end = content.size();
        if (end > start) {
            crc = crc32(crc, reinterpret_cast<const Bytef*>(content.data() + start),
                        static_cast<uInt>(end - start));
        }
        start = end + 1;
    }
    // Java's (int) cast of the unsigned CRC: two's-complement wrap.
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(crc));
}

}  // namespace pf::db
