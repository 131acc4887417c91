#include "scheduler/variant_assigner.hpp"

#include <vector>

#include "scheduler/ab_assignment.hpp"

namespace pf::scheduler {

std::optional<db::VariantChoice> first_use_variant(const db::ClaimedStep& s) {
    if (s.assigned_variant_id || !s.experiment_id || s.variants.empty()) return std::nullopt;
    std::string variant;
    if (s.experiment_status == "completed" && s.winner_variant_id) {
        variant = *s.winner_variant_id;
    } else {
        std::vector<int> weights;
        for (const auto& v : s.variants) weights.push_back(v.weight);
        variant = s.variants[pick_variant(*s.experiment_id, s.enrollment_id, weights)].id;
    }
    return db::VariantChoice{s.organisation_id, s.enrollment_id, s.step_id, *s.experiment_id,
                             variant};
}

void apply_variant(StepWork& w, const std::optional<std::string>& chosen) {
    const auto& s = w.step;
    w.prompt_id = s.step_prompt_id;
    w.subject_template = s.step_subject_template;
    w.body_template = s.step_body_template;
    if (s.assigned_variant_id) {
        w.variant_id = s.assigned_variant_id;
        w.variant_label = s.assigned_label;
        w.prompt_id = s.assigned_prompt_id;
        w.subject_template = s.assigned_subject_template;
        w.body_template = s.assigned_body_template;
        return;
    }
    if (!chosen) return;
    for (const auto& v : s.variants) {
        if (v.id != *chosen) continue;
        w.variant_id = v.id;
        w.variant_label = v.label;
        w.prompt_id = v.prompt_id;
        w.subject_template = v.subject_template;
        w.body_template = v.body_template;
    }
}

}  // namespace pf::scheduler
