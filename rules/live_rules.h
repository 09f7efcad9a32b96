// The rule set the workers use now, swappable while they run (SIGHUP, or the web UI's reload).
// A reload compiles the new set on the side and publishes it here; each worker's Detector
// notices the new generation at its next packet and switches, so no packet waits for a compile
// and none is inspected by half a set.
#pragma once

#include <atomic>
#include <memory>

#include "rules/detector.h"
#include "rules/ruleset.h"

namespace otsentry::rules {

class LiveRules {
public:
    explicit LiveRules(std::shared_ptr<const RuleSet> initial)
        : set_{std::move(initial)}, generation_{set_.load()->generation()}
    {
    }

    [[nodiscard]] std::shared_ptr<const RuleSet> current() const { return set_.load(); }
    // Cheap enough for every packet: one relaxed load.
    [[nodiscard]] uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

    void publish(std::shared_ptr<const RuleSet> next)
    {
        const uint64_t g = next->generation();
        set_.store(std::move(next));
        generation_.store(g, std::memory_order_release);
    }

    ThresholdTable& thresholds() noexcept { return thresholds_; }

    // Keeps `d` on the published set.
    void refresh(Detector& d) const
    {
        if (d.rules().generation() != generation()) d.reset(current());
    }

private:
    std::atomic<std::shared_ptr<const RuleSet>> set_;
    std::atomic<uint64_t> generation_;
    ThresholdTable thresholds_;
};

}  // namespace otsentry::rules
