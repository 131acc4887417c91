#pragma once
// A/B variant choice: a weighted pick from a stable hash of (experiment id,
// enrollment id). The same pair always gives the same variant for the same
// weights, on every machine; the pick is stored on first use
// (enrollment_step_variant_assignments), so later weight changes or new
// variants never move an enrolled prospect.

#include <cstdint>
#include <span>
#include <string_view>

namespace pf::scheduler {

// FNV-1a over "<experiment>:<enrollment>" finished with MurmurHash3's fmix64,
// so that ids differing in one character still spread evenly.
std::uint64_t assignment_hash(std::string_view experiment_id, std::string_view enrollment_id);

// Index of the chosen weight; weights must be positive and non-empty.
std::size_t pick_variant(std::string_view experiment_id, std::string_view enrollment_id,
                         std::span<const int> weights);

}  // namespace pf::scheduler
