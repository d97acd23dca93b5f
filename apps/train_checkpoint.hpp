// The checkpoint file of `scorepath train`: the settings that fix the run, the network, and the
// optimizer and stream state, as JSON. A run resumed from it ends exactly as the uninterrupted run.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "scorepath/mlp_file.hpp"
#include "scorepath/training/train.hpp"
#include "train_command.hpp"

namespace scorepath::cli {

/// What a checkpoint holds.
struct train_checkpoint {
  nlohmann::json config;    ///< train_config_json of the run that wrote it
  mlp_description network;  ///< the weights after `state.step` steps
  train_state state;        ///< Adam's moments and average, the step, the probe stream
};

/// The settings a resumed run must share with the one that wrote the checkpoint (everything but
/// the step count, the outputs, the log and checkpoint intervals and the thread count).
nlohmann::json train_config_json(const train_settings& s, const train_inputs& in);

/// The checkpoint as JSON text (numbers round-trip exactly).
std::string format_checkpoint(const train_checkpoint& c);

/**
 * @brief Reads and checks a checkpoint file.
 * @throw invalid_argument_error naming `--resume` and the path: unreadable, not JSON, not a
 *        scorepath checkpoint, a missing or malformed member, a network that does not parse
 */
train_checkpoint read_checkpoint(const std::string& path);

}  // namespace scorepath::cli
