#include <omp.h>

#include <cstdio>

#include "commands.hpp"
#include "processes.hpp"
#include "scorepath/matrix_product.hpp"
#include "scorepath/context.hpp"
#include "scorepath/simd_pack.hpp"

#if SCOREPATH_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace scorepath::cli {

void add_info_command(CLI::App& app, cli_mode mode) {
  CLI::App* cmd = app.add_subcommand("info", "Version, backends found, devices and threads");
  cmd->callback([mode] {
    if (mode == cli_mode::validate_only) return;  // no options to check
    std::printf("scorepath %s\n", version_string);
    std::printf("CUDA backend compiled: %s\n", cuda_compiled() ? "yes" : "no");
    if (cuda_compiled()) std::printf("CUDA kernels built for architectures: %s\n", cuda_architectures());
    const int devices = cuda_device_count();
    std::printf("CUDA devices: %d\n", devices);
#if SCOREPATH_HAVE_CUDA
    for (int d = 0; d < devices; ++d) {
      cudaDeviceProp prop{};
      if (cudaGetDeviceProperties(&prop, d) == cudaSuccess) {
        std::printf("  [%d] %s, compute capability %d.%d, %.1f GiB: %s\n", d, prop.name,
                    prop.major, prop.minor, static_cast<double>(prop.totalGlobalMem) / (1 << 30),
                    cuda_device_usable(d) ? "usable"
                                          : "not used (no kernels for it in this build)");
      }
    }
#endif
    std::printf("default backend: %s\n", to_string(context().kind()));
    std::printf("CPU threads (OpenMP default): %d\n", omp_get_max_threads());
    std::printf("CPU SIMD lanes: %d float, %d double\n", simd::float_lanes, simd::double_lanes);
    const matrix_kernel_info& kernel = matrix_kernel();
    std::printf("matrix products (training, sampling): %s (%s)\n", kernel.name.c_str(),
                kernel.reason.c_str());
    std::printf("MPI: %s\n", processes_description().c_str());
  });
}

}  // namespace scorepath::cli
