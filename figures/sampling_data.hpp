// The sampling part of the figure data (sampling_data.cpp).
#pragma once

#include <string>

#include "scorepath/context.hpp"

/// Writes ring_samples.csv, ring_training_loss.csv and quality_vs_steps.csv into @p dir.
void sampling_figure_data(const scorepath::context& ctx, const std::string& dir);
