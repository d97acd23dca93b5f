/**
 * @file vectorizable.hpp
 * @brief Whether the CPU backend may evaluate a functor (SDE, reducer or score model) on SIMD packs
 *        of paths or samples: it says so with `static constexpr bool vectorizable = true`.
 */
#pragma once

#include <type_traits>

namespace scorepath {

/// True when @p F declares `vectorizable = true`; functors that say nothing run one lane at a time.
template <class F, class = void>
struct is_vectorizable : std::false_type {};
template <class F>
struct is_vectorizable<F, std::void_t<decltype(F::vectorizable)>>
    : std::bool_constant<F::vectorizable> {};

}  // namespace scorepath
