#include "scorepath/context.hpp"

#include <omp.h>
#include <pthread.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "scorepath/detail/cpu_threads.hpp"
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
      if (device >= 0 && device < devices && !cuda_device_usable(device)) {
        throw unavailable_error("the CUDA backend was asked for, but this build has no kernels "
                                "for the compute capability of device " +
                                    std::to_string(device) + " (built for " +
                                    cuda_architectures() + "; see scorepath info)",
                                __FILE__, __LINE__);
      }
      kind_ = backend::cuda;
      break;
    case backend_choice::automatic:
      if (devices > 0) {
        SCOREPATH_EXPECTS(device >= 0 && device < devices, "device", device,
                          "must be in [0, " + std::to_string(devices) + ")");
      }
      kind_ = cuda_device_usable(device) ? backend::cuda : backend::cpu;
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
  SCOREPATH_EXPECTS(threads >= 0 && threads <= max_threads, "threads", threads,
                    "must be in [0, " + std::to_string(max_threads) + "] (0 = OpenMP default)");
  threads_ = threads;
}

namespace detail {
namespace {

/// Stack size OpenMP gives its threads when OMP_STACKSIZE (or GOMP_STACKSIZE) sets one, else 0.
std::size_t omp_stack_size() {
  const char* text = std::getenv("OMP_STACKSIZE");
  if (text == nullptr) text = std::getenv("GOMP_STACKSIZE");
  if (text == nullptr) return 0;
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text, &end, 10);
  while (*end == ' ') ++end;
  unsigned long long unit = 1024;  // a bare number counts kilobytes
  switch (std::toupper(static_cast<unsigned char>(*end))) {
    case 'B': unit = 1; break;
    case 'K': unit = 1024; break;
    case 'M': unit = 1024ull << 10; break;
    case 'G': unit = 1024ull << 20; break;
    default: break;
  }
  return static_cast<std::size_t>(value * unit);
}

/// A probe thread: holds its stack until the creator releases the gate.
void* wait_at_gate(void* gate) {
  std::mutex* m = static_cast<std::mutex*>(gate);
  m->lock();
  m->unlock();
  return nullptr;
}

std::mutex checked_mutex;
int checked_threads = 1;  // the calling thread

}  // namespace

void ensure_cpu_threads(int threads) {
  std::lock_guard<std::mutex> lock(checked_mutex);
  if (threads <= checked_threads) return;
  const int extra = threads - checked_threads;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  if (const std::size_t stack = omp_stack_size(); stack > 0) {
    pthread_attr_setstacksize(&attr, stack);
  }
  std::vector<pthread_t> started;
  started.reserve(static_cast<std::size_t>(extra));
  std::mutex gate;
  gate.lock();
  int failure = 0;
  for (int i = 0; i < extra; ++i) {
    pthread_t id;
    failure = pthread_create(&id, &attr, wait_at_gate, &gate);
    if (failure != 0) break;
    started.push_back(id);
  }
  gate.unlock();
  for (pthread_t id : started) pthread_join(id, nullptr);
  pthread_attr_destroy(&attr);
  if (failure != 0) {
    throw out_of_memory_error(
        "threads = " + std::to_string(threads) + ": the system refused CPU thread " +
            std::to_string(checked_threads + static_cast<int>(started.size()) + 1) + " (" +
            std::strerror(failure) + "); use fewer threads",
        __FILE__, __LINE__);
  }
  checked_threads = threads;
}

}  // namespace detail

void context::synchronize() const {
  if (kind_ == backend::cuda) detail::cuda_synchronize(device_, stream_);
}

}  // namespace scorepath
