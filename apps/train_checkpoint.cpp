// Reading and formatting the checkpoint file of `scorepath train` (train_checkpoint.hpp).
#include "train_checkpoint.hpp"

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/input_file.hpp"

namespace scorepath::cli {

namespace {

constexpr const char* checkpoint_format = "scorepath-train-checkpoint";
constexpr int checkpoint_version = 1;
/// Largest checkpoint read: far above any network the tool trains, far below memory.
constexpr std::size_t max_checkpoint_bytes = std::size_t{1} << 31;

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw invalid_argument_error("--resume", path, why, __FILE__, __LINE__);
}

std::vector<double> finite_vector(const nlohmann::json& j, const char* name,
                                  const std::string& path) {
  if (!j.contains(name) || !j[name].is_array()) {
    refuse(path, std::string("must hold the array `") + name + "`");
  }
  std::vector<double> out;
  out.reserve(j[name].size());
  for (const auto& v : j[name]) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      refuse(path, std::string("`") + name + "` must hold finite numbers only");
    }
    out.push_back(v.get<double>());
  }
  return out;
}

std::uint64_t unsigned_member(const nlohmann::json& j, const char* name, const std::string& path) {
  if (!j.contains(name) || !j[name].is_number_unsigned()) {
    refuse(path, std::string("must hold the unsigned integer `") + name + "`");
  }
  return j[name].get<std::uint64_t>();
}

/// The conditioning settings that matter for its kind.
nlohmann::json conditioning_json(const train_settings& s) {
  nlohmann::json j = {{"kind", s.condition}};
  if (s.condition == "vp") {
    j["beta_min"] = s.beta_min;
    j["beta_max"] = s.beta_max;
    j["t_min"] = s.t_min;
  } else if (s.condition == "ve") {
    j["sigma_min"] = s.sigma_min;
    j["sigma_max"] = s.sigma_max;
    j["t_min"] = s.t_min;
  } else if (s.condition == "levels") {
    j["levels"] = s.levels;
  }
  return j;
}

}  // namespace

nlohmann::json train_config_json(const train_settings& s, const train_inputs& in) {
  return {{"data", s.samples_file.empty() ? s.data : std::string("file")},
          {"dim", in.dim},
          {"train_rows", in.train.size() / static_cast<std::size_t>(in.dim)},
          {"held_out_rows", in.held_out.size() / static_cast<std::size_t>(in.dim)},
          {"data_checksum", in.data_checksum},
          {"loss", s.loss},
          {"probes", s.probes},
          {"law", s.law},
          {"half_scaling", s.half_scaling},
          {"noise_scale", s.noise_scale},
          {"conditioning", conditioning_json(s)},
          {"hidden", s.hidden},
          {"activation", s.activation},
          {"batch", s.batch},
          {"learning_rate", s.learning_rate},
          {"weight_decay", s.weight_decay},
          {"clip", s.clip},
          {"warmup", s.warmup},
          {"ema", s.ema},
          {"seed", s.seed},
          {"precision", s.precision}};
}

std::string format_checkpoint(const train_checkpoint& c) {
  nlohmann::json j;
  j["format"] = checkpoint_format;
  j["version"] = checkpoint_version;
  j["config"] = c.config;
  j["step"] = c.state.step;
  j["probe_stream"] = {{"seed", c.state.probes.seed},
                       {"next_subsequence", c.state.probes.next_subsequence}};
  j["first_moment"] = c.state.first_moment;
  j["second_moment"] = c.state.second_moment;
  j["average"] = c.state.average;
  j["network"] = format_mlp_text(c.network);
  return j.dump(1) + "\n";
}

train_checkpoint read_checkpoint(const std::string& path) {
  check_input_file("--resume", path, "checkpoint file");
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) refuse(path, "must be a readable file");
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_checkpoint_bytes) refuse(path, "is larger than a checkpoint can be");
  }
  if (in.bad()) refuse(path, "could not be read to the end");
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) refuse(path, "is not a JSON object");
  if (!j.contains("format") || j["format"] != checkpoint_format) {
    refuse(path, std::string("is not a ") + checkpoint_format + " file");
  }
  if (!j.contains("version") || j["version"] != checkpoint_version) {
    refuse(path, "has a version this tool does not read (it reads version 1)");
  }
  if (!j.contains("config") || !j["config"].is_object()) refuse(path, "must hold `config`");
  if (!j.contains("network") || !j["network"].is_string()) refuse(path, "must hold `network`");
  if (!j.contains("probe_stream") || !j["probe_stream"].is_object()) {
    refuse(path, "must hold `probe_stream`");
  }
  train_checkpoint c;
  c.config = j["config"];
  c.state.step = unsigned_member(j, "step", path);
  c.state.probes.seed = unsigned_member(j["probe_stream"], "seed", path);
  c.state.probes.next_subsequence = unsigned_member(j["probe_stream"], "next_subsequence", path);
  c.state.first_moment = finite_vector(j, "first_moment", path);
  c.state.second_moment = finite_vector(j, "second_moment", path);
  c.state.average = finite_vector(j, "average", path);
  try {
    c.network = parse_mlp_text(j["network"].get<std::string>(), path + " (network)");
  } catch (const invalid_argument_error& e) {
    refuse(path, std::string("holds a network that does not read: ") + e.what());
  }
  return c;
}

}  // namespace scorepath::cli
