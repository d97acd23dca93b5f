// Which devices a build's CUDA code runs on (detail/cuda_arch.hpp): machine code within its major
// version, PTX on any later capability, CMake's list forms; and, on any machine, that the
// automatic backend uses a device only when the build has kernels for it.
#include <gtest/gtest.h>

#include "scorepath/context.hpp"
#include "scorepath/detail/cuda_arch.hpp"

namespace scorepath {
namespace {

using detail::cuda_archs_run_on;

TEST(CudaArch, TheDefaultBuildRunsOnAmpereHopperAndLaterButNotOnVoltaOrTuring) {
  const std::string archs = "80,90";  // CMake's "80;90": machine code and PTX for each
  EXPECT_FALSE(cuda_archs_run_on(archs, 7, 0));  // V100
  EXPECT_FALSE(cuda_archs_run_on(archs, 7, 5));  // T4
  EXPECT_TRUE(cuda_archs_run_on(archs, 8, 0));   // A100
  EXPECT_TRUE(cuda_archs_run_on(archs, 8, 6));   // A10, RTX 30xx
  EXPECT_TRUE(cuda_archs_run_on(archs, 8, 9));   // L4, RTX 40xx
  EXPECT_TRUE(cuda_archs_run_on(archs, 9, 0));   // H100, H200
  EXPECT_TRUE(cuda_archs_run_on(archs, 10, 0));  // through the compute_90 PTX
}

TEST(CudaArch, MachineCodeAloneStaysWithinItsMajorVersion) {
  EXPECT_TRUE(cuda_archs_run_on("80-real;90-real", 8, 6));
  EXPECT_TRUE(cuda_archs_run_on("80-real;90-real", 9, 0));
  EXPECT_FALSE(cuda_archs_run_on("80-real;90-real", 10, 0));
  EXPECT_FALSE(cuda_archs_run_on("86-real", 8, 0));  // sm_86 code does not run on 8.0
  EXPECT_FALSE(cuda_archs_run_on("90-real", 8, 9));
}

TEST(CudaArch, PtxAloneRunsFromItsCapabilityUp) {
  EXPECT_FALSE(cuda_archs_run_on("80-virtual", 7, 5));
  EXPECT_TRUE(cuda_archs_run_on("80-virtual", 8, 0));
  EXPECT_TRUE(cuda_archs_run_on("80-virtual", 12, 0));
}

TEST(CudaArch, ArchSpecificAndFamilyEntries) {
  EXPECT_TRUE(cuda_archs_run_on("90a", 9, 0));
  EXPECT_TRUE(cuda_archs_run_on("90a-real", 9, 0));
  EXPECT_FALSE(cuda_archs_run_on("90a", 10, 0));
  EXPECT_FALSE(cuda_archs_run_on("90a", 8, 9));
  EXPECT_TRUE(cuda_archs_run_on("100f", 10, 3));
  EXPECT_FALSE(cuda_archs_run_on("100f", 12, 0));
  EXPECT_FALSE(cuda_archs_run_on("103f", 10, 0));
}

TEST(CudaArch, ListFormsAndSpecialValues) {
  EXPECT_TRUE(cuda_archs_run_on("", 9, 0));     // no list: nvcc's default, the build cannot say
  EXPECT_TRUE(cuda_archs_run_on("OFF", 9, 0));
  EXPECT_TRUE(cuda_archs_run_on("native", 7, 0));
  EXPECT_TRUE(cuda_archs_run_on("all", 5, 0));
  EXPECT_TRUE(cuda_archs_run_on("70 80", 7, 5));  // space-separated, as nvcc flags would be
  EXPECT_FALSE(cuda_archs_run_on("garbage", 9, 0));
}

TEST(CudaArch, TheAutomaticBackendUsesOnlyAUsableDevice) {
  const bool usable = cuda_device_usable(0);
  EXPECT_EQ(context().kind() == backend::cuda, usable);
  EXPECT_FALSE(cuda_device_usable(-1));
  EXPECT_FALSE(cuda_device_usable(cuda_device_count()));
  if (!cuda_compiled()) EXPECT_STREQ(cuda_architectures(), "");
}

}  // namespace
}  // namespace scorepath
