// libFuzzer target: the weights-file parser (parse_mlp_text, which read_mlp_file runs on a file's
// text) on arbitrary bytes. A scorepath::error is a correct refusal; anything else escaping, a
// crash, a sanitizer report, a hang or an allocation beyond -rss_limit_mb is a finding. A text that
// parses must describe a consistent network that writes and reads back bit for bit.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "mlp_equal.hpp"
#include "scorepath/error.hpp"
#include "scorepath/mlp_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  scorepath::mlp_description net;
  try {
    net = scorepath::parse_mlp_text(text, "fuzz input");
  } catch (const scorepath::error&) {
    return 0;
  }
  SCOREPATH_FUZZ_CHECK(net.parameters.size() == scorepath::mlp_parameter_count(
                                                    net.dim, net.hidden, net.conditioning.features()),
                       "parameter count differs from what the widths need");
  for (double p : net.parameters) SCOREPATH_FUZZ_CHECK(std::isfinite(p), "non-finite parameter");
  const scorepath::mlp_description again =
      scorepath::parse_mlp_text(scorepath::format_mlp_text(net), "fuzz round trip");
  SCOREPATH_FUZZ_CHECK(scorepath::fuzz::same_network(net, again),
                       "a parsed network does not read back unchanged");
  return 0;
}
