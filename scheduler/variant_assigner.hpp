#pragma once
// Phase "assign": the A/B variant each send uses. Pure: the stored
// assignment wins; else the winner of a concluded experiment, else a stable
// weighted pick (ab_assignment), which the step runner stores on first use
// (a concurrent assigner's row wins, so every daemon ends with one).

#include <optional>
#include <string>

#include "db/engine_rows.hpp"
#include "scheduler/step_work.hpp"

namespace pf::scheduler {

// The assignment to store for a send in an experiment it has none for yet.
std::optional<db::VariantChoice> first_use_variant(const db::ClaimedStep& s);

// Sets w's variant and prompt: the stored assignment's, else `chosen` (the
// variant stored for it in this batch), else the step's own prompt.
void apply_variant(StepWork& w, const std::optional<std::string>& chosen);

}  // namespace pf::scheduler
