// Sections of `scorepath demo` that live in their own files (demo_run.cpp holds the others).
#pragma once

#include <cstdint>

#include "simulate_command.hpp"

namespace scorepath::cli {

/// Trains a noise-conditioned network on the 8-Gaussian ring, samples it with the reverse SDE and
/// the probability-flow ODE, and prints the quality of those samples next to the exact score's
/// and two independent draws of the law.
void sampling_from_scores(const run_settings& base, std::uint64_t divisor);

}  // namespace scorepath::cli
