#!/usr/bin/env bash
# Installs a built scorepath into a temporary prefix, then configures, builds and runs the example
# consumer (examples/consumer) against that prefix through find_package(scorepath).
#
# Usage: scripts/test_install.sh [build-dir]    (default: build; the tree must be fully built)
#
# Fails when the install, the consumer's configure or build, or the consumer's own checks fail, or
# when the installed package files refer to the source or build tree. Everything it writes, apart
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
consumer_build=$work/consumer-build

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

# The consumer uses the compiler the library was built with, and the CUDA toolkit it found.
configure_args=(-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release)
cxx=$(cache_value CMAKE_CXX_COMPILER)
[[ -n $cxx ]] && configure_args+=(-DCMAKE_CXX_COMPILER="$cxx")
cuda_root=$(cache_value CUDAToolkit_ROOT)
[[ -n $cuda_root ]] && configure_args+=(-DCUDAToolkit_ROOT="$cuda_root")

echo "== Configuring examples/consumer in $consumer_build"
cmake -S "$repo/examples/consumer" -B "$consumer_build" "${configure_args[@]}" \
  >"$work/configure.log" 2>&1 || {
  cat "$work/configure.log" >&2
  exit 1
}
found=$(sed -n 's/^scorepath_DIR:PATH=//p' "$consumer_build/CMakeCache.txt")
echo "   scorepath_DIR = $found"
if [[ $found != "$prefix"/* ]]; then
  echo "test_install.sh: find_package(scorepath) found $found, not the package in $prefix" >&2
  exit 1
fi

echo "== Building the consumer"
cmake --build "$consumer_build" --parallel 2 >"$work/build.log" 2>&1 || {
  cat "$work/build.log" >&2
  exit 1
}

echo "== Running the consumer"
"$consumer_build/scorepath_consumer"
echo "== Install test passed"
