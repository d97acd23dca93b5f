#include "scorepath/probes.hpp"

#include "scorepath/error.hpp"

namespace scorepath {

const char* to_string(probe_law law) noexcept {
  switch (law) {
    case probe_law::gaussian: return "gaussian";
    case probe_law::rademacher: return "rademacher";
    case probe_law::sphere: return "sphere";
    case probe_law::orthogonal: return "orthogonal";
  }
  return "unknown";
}

probe_law parse_probe_law(const std::string& text) {
  for (probe_law law : {probe_law::gaussian, probe_law::rademacher, probe_law::sphere,
                        probe_law::orthogonal}) {
    if (text == to_string(law)) return law;
  }
  throw invalid_argument_error("probe law", text,
                               "must be gaussian, rademacher, sphere or orthogonal", __FILE__,
                               __LINE__);
}

}  // namespace scorepath
