/**
 * @file model_dim.hpp
 * @brief The dimension D of any score model the engines take: the `dim()` of a model whose
 *        dimension is chosen at run time (mlp_network), else its `dim` member (the static
 *        `dim` of a compiled model, the field of a diagonal_mixture).
 */
#pragma once

namespace scorepath {

namespace detail {
template <class Model>
auto score_model_dim_of(const Model& model, int) -> decltype(static_cast<int>(model.dim())) {
  return static_cast<int>(model.dim());
}
template <class Model>
int score_model_dim_of(const Model& model, long) {
  return static_cast<int>(model.dim);
}
}  // namespace detail

/// D of @p model.
template <class Model>
int score_model_dim(const Model& model) {
  return detail::score_model_dim_of(model, 0);
}

}  // namespace scorepath
