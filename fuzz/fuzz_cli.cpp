// libFuzzer target: the command line's parsing and checks, run_cli in cli_mode::validate_only (no
// simulation, loss or study runs, nothing is printed or written). The input is the argument list,
// one argument per line ('\n'-separated, at most max_arguments; argv[0] is added). The exit status
// must be 0, 1 or 2; an exception other than scorepath's and CLI11's escapes run_cli in this mode,
// so libFuzzer reports it like a crash, a sanitizer report, a hang or a runaway allocation.
// The checks see a memory budget (set_host_memory_budget) of half the fuzzer's RSS limit, so a
// request the host could hold but the fuzzer's allocator may not is refused like one beyond the
// host: the argument list `ssm --model mlp --hidden 100000000` drew 4 GB of random weights.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli_app.hpp"
#include "fuzz_check.hpp"
#include "scorepath/memory.hpp"

namespace {
constexpr std::size_t max_arguments = 48;
/// What the checks may grant; scripts/fuzz.sh runs the target with -rss_limit_mb=2048.
constexpr std::uint64_t memory_budget = std::uint64_t{1} << 30;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  scorepath::set_host_memory_budget(memory_budget);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"scorepath"};
  std::string current;
  for (std::size_t k = 0; k < size && args.size() < max_arguments + 1; ++k) {
    if (data[k] == '\n') {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[k]));
    }
  }
  if (!current.empty() && args.size() < max_arguments + 1) args.push_back(current);
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  const int status = scorepath::cli::run_cli(static_cast<int>(args.size()), argv.data(),
                                             scorepath::cli::cli_mode::validate_only);
  SCOREPATH_FUZZ_CHECK(status == 0 || status == 1 || status == 2, "exit status not 0, 1 or 2");
  return 0;
}
