/**
 * @file training/mlp_network_file.hpp
 * @brief An mlp_network to and from the weights file format (mlp_file.hpp), its conditioning
 *        included (version 3).
 */
#pragma once

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "scorepath/error.hpp"
#include "scorepath/mlp_file.hpp"
#include "scorepath/training/mlp_network.hpp"

namespace scorepath {

/**
 * @brief The network a description holds, in precision T.
 * @param source where it came from, for error messages
 * @throw invalid_argument_error naming `parameters[k] of <source>` when a value does not fit in
 *        T, or as the mlp_network constructor
 */
template <class T>
mlp_network<T> make_mlp_network(const mlp_description& net, const std::string& source) {
  std::vector<T> params(net.parameters.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    params[k] = static_cast<T>(net.parameters[k]);
    SCOREPATH_EXPECTS(std::isfinite(static_cast<double>(params[k])),
                      "parameters[" + std::to_string(k) + "] of " + source, net.parameters[k],
                      "must be finite in the model's precision");
  }
  return mlp_network<T>(net.dim, net.hidden, net.activation, std::move(params), net.conditioning);
}

/**
 * @brief The description of @p net with @p parameters in its place (an optimizer's moving
 *        average, say); the network's own parameters when @p parameters is empty.
 */
template <class T>
mlp_description describe_mlp_network(const mlp_network<T>& net,
                                      std::vector<double> parameters = {}) {
  if (parameters.empty()) parameters.assign(net.parameters().begin(), net.parameters().end());
  mlp_description d;
  d.dim = net.dim();
  d.hidden = net.hidden_widths();
  d.activation = net.activation();
  d.conditioning = net.conditioning();
  d.parameters = std::move(parameters);
  return d;
}

/**
 * @brief Reads a weights file (version 1, 2 or 3) as an mlp_network<T>.
 * @throw invalid_argument_error as read_mlp_file and make_mlp_network
 */
template <class T>
mlp_network<T> load_mlp_network(const std::string& path) {
  return make_mlp_network<T>(read_mlp_file(path), path);
}

/// Writes @p net with write_mlp_file (version 3 when it is conditioned on noise).
template <class T>
void save_mlp_network(const std::string& path, const mlp_network<T>& net) {
  write_mlp_file(path, describe_mlp_network(net));
}

}  // namespace scorepath
