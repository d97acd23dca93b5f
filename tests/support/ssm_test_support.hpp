// What the sliced score matching tests share: the probe laws, one call with every output kept,
// a random full Gaussian, and small vector helpers.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scorepath/scores/gaussian.hpp"
#include "scorepath/ssm.hpp"
#include "mixture_reference.hpp"
#include "test_support.hpp"

namespace scorepath::test_support {

inline constexpr probe_law all_laws[] = {probe_law::gaussian, probe_law::rademacher,
                                         probe_law::sphere, probe_law::orthogonal};

/// The law's name as a test name.
inline std::string law_name(const ::testing::TestParamInfo<probe_law>& info) {
  return to_string(info.param);
}

/// Everything one call can write, sized for N samples, M probes, D dimensions.
template <class T>
struct ssm_run {
  ssm_report report;
  std::vector<T> projections, divergences, probes, ssm_ps, ssm_vr_ps, ism_ps;
};

/// @p call(outputs) with every output of sliced_score_matching kept (NaN-filled first, so a gap
/// shows).
template <class Model, class T, class Call>
ssm_run<T> run_ssm_keeping_all(const std::vector<T>& samples, const ssm_options& opt,
                               Call&& call) {
  constexpr int D = Model::dim;
  const std::size_t n = samples.size() / D;
  const std::size_t m = opt.probes;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  ssm_run<T> r;
  r.projections.assign(n * m, nan);
  r.divergences.assign(n * m, nan);
  r.probes.assign(n * m * D, nan);
  r.ssm_ps.assign(n, nan);
  r.ssm_vr_ps.assign(n, nan);
  ssm_outputs<T> out;
  out.projections = host_output(r.projections.data(), r.projections.size());
  out.divergences = host_output(r.divergences.data(), r.divergences.size());
  out.probes = host_output(r.probes.data(), r.probes.size());
  out.ssm_per_sample = host_output(r.ssm_ps.data(), r.ssm_ps.size());
  out.ssm_vr_per_sample = host_output(r.ssm_vr_ps.data(), r.ssm_vr_ps.size());
  if (opt.exact_ism) {
    r.ism_ps.assign(n, nan);
    out.ism_per_sample = host_output(r.ism_ps.data(), r.ism_ps.size());
  }
  r.report = call(out);
  return r;
}

/// sliced_score_matching with the named law opt.law and every output kept.
template <class Model, class T = typename Model::scalar_type>
ssm_run<T> run_ssm(const context& ctx, rng_stream& rng, const Model& model,
                   const std::vector<T>& samples, const ssm_options& opt) {
  return run_ssm_keeping_all<Model>(samples, opt, [&](const ssm_outputs<T>& out) {
    return sliced_score_matching(ctx, rng, model, samples, opt, out);
  });
}

/// sliced_score_matching with the probe-law type @p law and every output kept.
template <class Law, class Model, class T = typename Model::scalar_type>
ssm_run<T> run_ssm(const context& ctx, rng_stream& rng, const Model& model, const Law& law,
                   const std::vector<T>& samples, const ssm_options& opt) {
  return run_ssm_keeping_all<Model>(samples, opt, [&](const ssm_outputs<T>& out) {
    return sliced_score_matching(ctx, rng, model, law, samples, opt, out);
  });
}

/// A Gaussian score with a random full precision (random_spd_precision, diagonal from ½) and a
/// mean uniform in ±1.
template <int D>
gaussian_score<double, D> random_gaussian(std::uint64_t seed) {
  test_rng g(seed + 1000);
  std::array<double, D> mean{};
  for (double& m : mean) m = g.uniform(-1.0, 1.0);
  return gaussian_score<double, D>(mean, random_spd_precision<D>(seed, 0.5));
}

/// vᵀa for D-vectors.
template <int D>
double dot(const double* v, const double* a) {
  double s = 0;
  for (int i = 0; i < D; ++i) s += v[i] * a[i];
  return s;
}

/// vᵀJv for a D-vector and a D×D matrix.
template <int D>
double quad_form(const double* v, const double (&j)[D][D]) {
  double s = 0;
  for (int i = 0; i < D; ++i)
    for (int k = 0; k < D; ++k) s += v[i] * j[i][k] * v[k];
  return s;
}

}  // namespace scorepath::test_support
