#!/usr/bin/env bash
# Installs a built scorepath into a temporary prefix, then configures, builds and runs the example
# consumer (examples/consumer) against that prefix through find_package(scorepath), and once more
# against the build tree's own package (scorepath_DIR = the build directory); and the example with
# its own SDE and score model (examples/extension, CUDA kernels from its own .cu file when the
# package has the CUDA backend) against the installed package, and the distributed example
# (examples/distributed, scorepath::mpi) when the package was built with MPI.
#
# Usage: scripts/test_install.sh [build-dir]    (default: build; the library must be built)
#
# Fails when the install, the consumer's configure or build, or the consumer's own checks fail;
# when the installed package files refer to the source or build tree or to "-march=native"; or when
# the installed library or tool carries absolute paths into the source tree. A package built
# without the CUDA backend must work with the CUDA toolkit hidden: its consumer is configured and
# built with nvcc off PATH and find_package(CUDAToolkit) disabled. Everything it writes, apart
# from the install manifest CMake keeps in the build dir, goes to a fresh mktemp directory that is
# removed on exit, so several runs can go on at once.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build_arg=${1:-build}
if [[ -d $build_arg ]]; then
  build=$(cd "$build_arg" && pwd)
elif [[ -d $repo/$build_arg ]]; then
  build=$(cd "$repo/$build_arg" && pwd)
else
  echo "test_install.sh: build directory '$build_arg' not found" >&2
  exit 2
fi
if [[ ! -f $build/cmake_install.cmake ]]; then
  echo "test_install.sh: $build is not a configured scorepath build directory" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/scorepath-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

# Read a cached variable of the library's build (empty when it is not set).
cache_value() {
  sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt" | head -n 1
}

echo "== Installing $build to $prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || {
  cat "$work/install.log" >&2
  exit 1
}
echo "   $(grep -c -e "Installing:" -e "Up-to-date:" "$work/install.log") files"

config_file=$(find "$prefix" -name scorepathConfig.cmake -print -quit)
package_dir=$(dirname "${config_file:-.}")
if [[ -z $config_file || ! -f $package_dir/scorepathTargets.cmake ]]; then
  echo "test_install.sh: no scorepathConfig.cmake / scorepathTargets.cmake under $prefix" >&2
  exit 1
fi
echo "== Checking $package_dir for paths into the source or build tree"
if grep -n -F -e "$repo/" -e "$build" "$package_dir"/*.cmake; then
  echo "test_install.sh: the installed package refers to the source or build tree (above)" >&2
  exit 1
fi

if grep -n -e "march=native" -e '"native"' "$package_dir"/*.cmake; then
  echo "test_install.sh: the installed package names -march=native instead of a CPU (above)" >&2
  exit 1
fi
echo "   built for -march=$(sed -n 's/^set(scorepath_CPU_ARCH "\(.*\)")$/\1/p' \
  "$package_dir/scorepathConfig.cmake")"

echo "== Checking the installed binaries for absolute source paths"
for binary in "$prefix"/lib*/libscorepath* "$prefix"/bin/scorepath; do
  [[ -f $binary ]] || continue
  if grep -q -a -F "$repo/" "$binary"; then
    echo "test_install.sh: $binary contains paths into $repo:" >&2
    grep -a -o -F "$repo/" "$binary" | sort | uniq -c | head >&2
    exit 1
  fi
  echo "   $(basename "$binary"): none"
done

# The consumer uses the compiler the library was built with. A CUDA build's consumer finds the
# CUDA toolkit the library was built with; a CPU-only build's consumer must not need one.
base_args=(-DCMAKE_BUILD_TYPE=Release)
cxx=$(cache_value CMAKE_CXX_COMPILER)
[[ -n $cxx ]] && base_args+=(-DCMAKE_CXX_COMPILER="$cxx")
consumer_env=()
if grep -q '^set(scorepath_HAVE_CUDA ON)' "$package_dir/scorepathConfig.cmake"; then
  cuda_root=$(cache_value CUDAToolkit_ROOT)
  [[ -n $cuda_root ]] && base_args+=(-DCUDAToolkit_ROOT="$cuda_root")
  nvcc=$(cache_value CMAKE_CUDA_COMPILER)
  [[ -n $nvcc ]] && base_args+=(-DCMAKE_CUDA_COMPILER="$nvcc")
else
  echo "== CPU-only package: the consumer is built with the CUDA toolkit hidden"
  hidden_path=$(tr ':' '\n' <<<"$PATH" | grep -v -i cuda | paste -sd: -)
  consumer_env=(env PATH="$hidden_path" CUDA_HOME= CUDA_PATH= CUDACXX=)
  base_args+=(-DCMAKE_DISABLE_FIND_PACKAGE_CUDAToolkit=ON -DCMAKE_IGNORE_PREFIX_PATH=/usr/local/cuda)
fi

# consume EXAMPLE PROGRAM NAME ARGS...: configures, builds and runs examples/EXAMPLE in $work/NAME
# and runs its PROGRAM; the package it must find is the value of $expect_dir (a prefix under which
# scorepath_DIR lies, or a directory).
consume() {
  local example=$1 program=$2 name=$3
  shift 3
  local dir=$work/$name
  echo "== Configuring examples/$example ($name)"
  "${consumer_env[@]}" cmake -S "$repo/examples/$example" -B "$dir" "${base_args[@]}" "$@" \
    >"$work/$name-configure.log" 2>&1 || {
    cat "$work/$name-configure.log" >&2
    exit 1
  }
  local found
  found=$(sed -n 's/^scorepath_DIR:[A-Z]*=//p' "$dir/CMakeCache.txt")
  echo "   scorepath_DIR = $found"
  if [[ $found != "$expect_dir" && $found != "$expect_dir"/* ]]; then
    echo "test_install.sh: find_package(scorepath) found $found, not the package in $expect_dir" >&2
    exit 1
  fi
  if grep -q "CUDAToolkit_FOUND:.*=TRUE\|CUDAToolkit_NVCC_EXECUTABLE:FILEPATH=/" "$dir/CMakeCache.txt" &&
     [[ ${#consumer_env[@]} -gt 0 ]]; then
    echo "test_install.sh: the CPU-only consumer ($name) found the CUDA toolkit after all" >&2
    exit 1
  fi
  echo "== Building examples/$example ($name)"
  "${consumer_env[@]}" cmake --build "$dir" --parallel 2 >"$work/$name-build.log" 2>&1 || {
    cat "$work/$name-build.log" >&2
    exit 1
  }
  echo "== Running examples/$example ($name)"
  "$dir/$program"
}

expect_dir=$prefix
consume consumer scorepath_consumer installed -DCMAKE_PREFIX_PATH="$prefix"
# The project with its own SDE and score model: kernels from its own .cu file (nvcc) when the
# package has the CUDA backend, CPU-only otherwise.
consume extension scorepath_extension_example extension -DCMAKE_PREFIX_PATH="$prefix"
# The distributed example (scorepath::mpi), when the package has it and mpirun is here: built and
# run as one process by consume, then as two ranks.
if grep -q '^set(scorepath_HAVE_MPI ON)' "$package_dir/scorepathConfig.cmake" &&
   command -v mpirun >/dev/null 2>&1; then
  consume distributed scorepath_distributed_example distributed -DCMAKE_PREFIX_PATH="$prefix"
  echo "== Running examples/distributed (2 ranks)"
  launcher=(mpirun -np 2)
  mpi_version=$(mpirun --version 2>/dev/null || true)  # read whole: no early exit under pipefail
  if [[ $mpi_version == *"Open MPI"* ]]; then
    launcher=(env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
              OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun --oversubscribe -np 2)
  fi
  "${launcher[@]}" "$work/distributed/scorepath_distributed_example"
fi
expect_dir=$build
consume consumer scorepath_consumer build-tree -Dscorepath_DIR="$build"
echo "== Install test passed"
