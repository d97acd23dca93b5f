// libFuzzer target: every network write_mlp_file accepts reads back bit for bit. The input bytes
// choose small widths and an activation, then give the parameters' raw bit patterns (missing
// bytes are zero). format_mlp_text must either refuse with a scorepath::error (a non-finite
// parameter) or produce text that parse_mlp_text reads back unchanged.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "fuzz_check.hpp"
#include "mlp_equal.hpp"
#include "scorepath/error.hpp"
#include "scorepath/mlp_file.hpp"

namespace {

/// Reads the input front to back; zero once it runs out.
class byte_source {
 public:
  byte_source(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }
  double next_double() {
    unsigned char bytes[sizeof(double)] = {};
    const std::size_t n = std::min(sizeof(double), size_ - std::min(pos_, size_));
    std::memcpy(bytes, data_ + pos_, n);
    pos_ += n;
    double v;
    std::memcpy(&v, bytes, sizeof v);
    return v;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  byte_source in(data, size);
  scorepath::mlp_description net;
  net.dim = 1 + in.next() % 4;
  const int layers = in.next() % 3;
  for (int l = 0; l < layers; ++l) net.hidden.push_back(1 + in.next() % 4);
  const scorepath::mlp_activation activations[] = {
      scorepath::mlp_activation::softplus, scorepath::mlp_activation::tanh,
      scorepath::mlp_activation::silu, scorepath::mlp_activation::elu};
  net.activation = activations[in.next() % 4];
  // A quarter of the networks are conditioned on noise (version 3), with settings drawn so that
  // most are valid and some are refused on writing.
  switch (in.next() % 8) {
    case 0:
      net.conditioning.kind = scorepath::conditioning_kind::vp;
      net.conditioning.beta_min = in.next_double();
      net.conditioning.beta_max = in.next_double();
      net.conditioning.t_min = in.next_double();
      break;
    case 1:
      net.conditioning.kind = scorepath::conditioning_kind::levels;
      for (int k = 1 + in.next() % 4; k > 0; --k) net.conditioning.levels.push_back(in.next_double());
      break;
    default: break;
  }
  net.parameters.resize(
      scorepath::mlp_parameter_count(net.dim, net.hidden, net.conditioning.features()));
  for (double& p : net.parameters) p = in.next_double();
  std::string text;
  try {
    text = scorepath::format_mlp_text(net);
  } catch (const scorepath::error&) {
    return 0;  // a non-finite parameter or an invalid conditioning: refused on writing
  }
  scorepath::mlp_description back;
  try {
    back = scorepath::parse_mlp_text(text, "fuzz round trip");
  } catch (const scorepath::error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    SCOREPATH_FUZZ_CHECK(false, "a network that was written cannot be read back");
  }
  SCOREPATH_FUZZ_CHECK(scorepath::fuzz::same_network(net, back),
                       "a written network reads back changed");
  return 0;
}
