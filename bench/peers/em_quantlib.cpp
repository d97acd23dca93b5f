// Euler-Maruyama paths of geometric Brownian motion with QuantLib's Monte Carlo path generator,
// the peer of scorepath's em_cpu/gbm1 benchmark (bench/peers/peers.py runs both).
//
// dS = mu S dt + sigma S dW on [0, t1] in `steps` equal steps, S(0) = s0, in double precision:
// GeometricBrownianMotionProcess with its default Euler discretisation evolves
// S + mu S h + sigma S sqrt(h) z, the same scheme as scorepath's GBM; PathGenerator draws z with
// PseudoRandom (Mersenne Twister uniforms through the inverse cumulative normal), no Brownian
// bridge.
//
// Each repetition draws `paths` paths with one generator that runs on across repetitions. With
// --sync the program prints {"ready": true} after a small warm-up and then, before each
// repetition, waits for a line on stdin, so a parent can start several processes together; each
// repetition prints a JSON line with its wall-clock start and end (seconds since the epoch). The
// last line is a summary: {"rate": best path-steps per second, "mean": mean of S(t1) over all
// paths, ...}.
//
// Usage: em_quantlib --paths 100000 [--steps 256] [--mu 0.05] [--sigma 0.2] [--s0 100] [--t1 1]
//                    [--seed 42] [--repeat 3] [--sync]
#include <ql/math/randomnumbers/rngtraits.hpp>
#include <ql/methods/montecarlo/pathgenerator.hpp>
#include <ql/processes/geometricbrownianprocess.hpp>
#include <ql/version.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct settings {
  unsigned long long paths = 100000;
  unsigned long long steps = 256;
  double mu = 0.05;
  double sigma = 0.2;
  double s0 = 100.0;
  double t1 = 1.0;
  unsigned long long seed = 42;
  int repeat = 3;
  bool sync = false;
};

[[noreturn]] void usage(const std::string& message, int status) {
  std::fprintf(stderr,
               "%s%s"
               "usage: em_quantlib --paths N [--steps 256] [--mu 0.05] [--sigma 0.2] [--s0 100]\n"
               "                   [--t1 1] [--seed 42] [--repeat 3] [--sync]\n",
               message.empty() ? "" : ("em_quantlib: " + message).c_str(),
               message.empty() ? "" : "\n");
  std::exit(status);
}

unsigned long long parse_count(const std::string& name, const char* text,
                               unsigned long long least) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < least) {
    usage(name + " must be an integer >= " + std::to_string(least) + ", not '" + text + "'", 2);
  }
  return v;
}

double parse_real(const std::string& name, const char* text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0') {
    usage(name + " must be a number, not '" + text + "'", 2);
  }
  return v;
}

settings parse_args(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") usage("", 0);
    if (arg == "--sync") {
      s.sync = true;
      continue;
    }
    if (i + 1 >= argc) usage("option " + arg + " needs a value", 2);
    const char* value = argv[++i];
    if (arg == "--paths") {
      s.paths = parse_count(arg, value, 1);
    } else if (arg == "--steps") {
      s.steps = parse_count(arg, value, 1);
    } else if (arg == "--mu") {
      s.mu = parse_real(arg, value);
    } else if (arg == "--sigma") {
      s.sigma = parse_real(arg, value);
    } else if (arg == "--s0") {
      s.s0 = parse_real(arg, value);
    } else if (arg == "--t1") {
      s.t1 = parse_real(arg, value);
    } else if (arg == "--seed") {
      s.seed = parse_count(arg, value, 0);
    } else if (arg == "--repeat") {
      s.repeat = static_cast<int>(parse_count(arg, value, 1));
    } else {
      usage("unknown option " + arg, 2);
    }
  }
  if (!(s.t1 > 0.0)) usage("--t1 must be positive", 2);
  if (!(s.sigma >= 0.0)) usage("--sigma must be non-negative", 2);
  return s;
}

double epoch_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using generator_type = QuantLib::PathGenerator<QuantLib::PseudoRandom::rsg_type>;

/// Draws @p paths paths and returns the sum of S(t1).
double draw(generator_type& gen, unsigned long long paths) {
  double sum = 0.0;
  for (unsigned long long p = 0; p < paths; ++p) {
    const QuantLib::Path& path = gen.next().value;
    sum += path.back();
  }
  return sum;
}

}  // namespace

int main(int argc, char** argv) {
  const settings s = parse_args(argc, argv);
  try {
    const auto process = QuantLib::ext::make_shared<QuantLib::GeometricBrownianMotionProcess>(
        s.s0, s.mu, s.sigma);
    const auto steps = static_cast<QuantLib::Size>(s.steps);
    QuantLib::PseudoRandom::rsg_type rsg =
        QuantLib::PseudoRandom::make_sequence_generator(steps, static_cast<QuantLib::BigNatural>(s.seed));
    generator_type gen(process, s.t1, steps, rsg, /*brownianBridge=*/false);

    draw(gen, std::min<unsigned long long>(s.paths, 1000));  // warm-up (allocations, caches)
    if (s.sync) {
      std::printf("{\"ready\": true}\n");
      std::fflush(stdout);
    }

    const double path_steps = static_cast<double>(s.paths) * static_cast<double>(s.steps);
    double total = 0.0;
    double best = 0.0;
    std::string line;
    for (int r = 0; r < s.repeat; ++r) {
      if (s.sync && !std::getline(std::cin, line)) {
        std::fprintf(stderr, "em_quantlib: stdin closed before repetition %d\n", r);
        return 1;
      }
      const double start = epoch_seconds();
      const auto t0 = std::chrono::steady_clock::now();
      total += draw(gen, s.paths);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const double end = epoch_seconds();
      best = r == 0 ? seconds : std::min(best, seconds);
      if (s.sync) {
        std::printf("{\"rep\": %d, \"start\": %.6f, \"end\": %.6f, \"seconds\": %.9g}\n", r, start,
                    end, seconds);
        std::fflush(stdout);
      }
    }
    const double mean = total / (static_cast<double>(s.paths) * s.repeat);
    std::printf(
        "{\"peer\": \"QuantLib %s PathGenerator<PseudoRandom> GeometricBrownianMotionProcess\", "
        "\"precision\": \"double\", \"paths\": %llu, \"steps\": %llu, \"repeat\": %d, "
        "\"best_seconds\": %.9g, \"rate\": %.9g, \"mean\": %.12g}\n",
        QL_VERSION, s.paths, s.steps, s.repeat, best, path_steps / best, mean);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "em_quantlib: %s\n", e.what());
    return 1;
  }
}
