#include "scorepath/context.hpp"

#include <omp.h>

#include "scorepath/error.hpp"

namespace scorepath {

namespace detail {
void cuda_synchronize(int device, void* stream);  // host/cuda_runtime.cpp
}

const char* to_string(backend kind) noexcept { return kind == backend::cuda ? "cuda" : "cpu"; }

backend_choice parse_backend_choice(const std::string& text) {
  if (text == "auto") return backend_choice::automatic;
  if (text == "cpu") return backend_choice::cpu;
  if (text == "cuda") return backend_choice::cuda;
  throw invalid_argument_error("backend", text, "must be auto, cpu or cuda", __FILE__, __LINE__);
}

context::context(backend_choice choice, int device) {
  const int devices = cuda_device_count();
  switch (choice) {
    case backend_choice::cpu:
      kind_ = backend::cpu;
      break;
    case backend_choice::cuda:
      if (!cuda_compiled()) {
        throw unavailable_error("the CUDA backend was asked for, but this build has no CUDA",
                                __FILE__, __LINE__);
      }
      if (devices == 0) {
        throw unavailable_error("the CUDA backend was asked for, but no CUDA device was found",
                                __FILE__, __LINE__);
      }
      kind_ = backend::cuda;
      break;
    case backend_choice::automatic:
      kind_ = devices > 0 ? backend::cuda : backend::cpu;
      break;
  }
  if (kind_ == backend::cuda) {
    SCOREPATH_EXPECTS(device >= 0 && device < devices, "device", device,
                      "must be in [0, " + std::to_string(devices) + ")");
    device_ = device;
  }
}

int context::threads() const noexcept { return threads_ > 0 ? threads_ : omp_get_max_threads(); }

void context::set_threads(int threads) {
  SCOREPATH_EXPECTS(threads >= 0, "threads", threads, "must be >= 0 (0 = OpenMP default)");
  threads_ = threads;
}

void context::synchronize() const {
  if (kind_ == backend::cuda) detail::cuda_synchronize(device_, stream_);
}

}  // namespace scorepath
