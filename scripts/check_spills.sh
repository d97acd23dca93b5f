#!/usr/bin/env bash
# Compiles the CUDA kernels (kernels/*.cu) with ptxas -v, prints registers, stack frame and spill
# bytes per kernel and architecture, and fails when any kernel spills.
#
# Usage: scripts/check_spills.sh [-j JOBS] [-a "80 90"] [-k LOGDIR] [-l] [FILE.cu ...]
#   -j JOBS   compile this many files at once (default 1; each nvcc also compiles its
#             architectures in parallel with --threads, see NVCC_THREADS)
#   -a ARCHS  space-separated SM numbers (default "80 90", as the CMake build)
#   -k LOGDIR keep the raw nvcc/ptxas logs in LOGDIR
#   -l        print full demangled signatures (default: name and template arguments only)
#   FILE.cu   files relative to the repository root (default: kernels/*.cu)
# Environment: NVCC (default $CUDA_HOME/bin/nvcc, /usr/local/cuda/bin/nvcc, or nvcc on PATH),
#   CUDA_HOME (default /usr/local/cuda), NVCC_THREADS (default 0 = one thread per architecture),
#   NVCC_EXTRA_FLAGS (appended to the nvcc command).
# Exit status: 0 no spills; 1 some kernel spills; 2 compile error, no kernels found or bad usage.
#
# Works from any directory. nvcc can take a minute or more per file (em_builtin.cu instantiates
# every built-in SDE for two precisions and two architectures): progress and elapsed times are
# printed, and there is no time limit.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
cd "${repo_root}"

jobs=1
archs="80 90"
keep_dir=""
long_names=0
usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
while getopts ":j:a:k:lh" opt; do
  case "${opt}" in
    j) jobs="${OPTARG}" ;;
    a) archs="${OPTARG}" ;;
    k) keep_dir="${OPTARG}" ;;
    l) long_names=1 ;;
    h) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if ! [[ "${jobs}" =~ ^[1-9][0-9]*$ ]]; then
  echo "check_spills.sh: -j needs a positive integer" >&2
  exit 2
fi

cuda_home="${CUDA_HOME:-/usr/local/cuda}"
nvcc="${NVCC:-}"
if [[ -z "${nvcc}" ]]; then
  if [[ -x "${cuda_home}/bin/nvcc" ]]; then
    nvcc="${cuda_home}/bin/nvcc"
  elif command -v nvcc >/dev/null 2>&1; then
    nvcc="$(command -v nvcc)"
  else
    echo "check_spills.sh: nvcc not found (set NVCC or CUDA_HOME)" >&2
    exit 2
  fi
fi

if [[ $# -gt 0 ]]; then
  files=("$@")
else
  shopt -s nullglob
  files=(kernels/*.cu)
  shopt -u nullglob
fi
if [[ ${#files[@]} -eq 0 ]]; then
  echo "check_spills.sh: no .cu files to compile" >&2
  exit 2
fi
for f in "${files[@]}"; do
  if [[ ! -f "${f}" ]]; then
    echo "check_spills.sh: no such file: ${f} (paths are relative to ${repo_root})" >&2
    exit 2
  fi
done

# The flags of the CMake build (kernels are compiled Release: -O3 -DNDEBUG).
gencode=()
for a in ${archs}; do gencode+=("-gencode" "arch=compute_${a},code=sm_${a}"); done
flags=(-std=c++17 -O3 -DNDEBUG --expt-relaxed-constexpr
       -I include -I "${cuda_home}/include" -I "${cuda_home}/include/cccl"
       -DSCOREPATH_HAVE_CUDA=1 "${gencode[@]}" -Xptxas -v --threads "${NVCC_THREADS:-0}")
# shellcheck disable=SC2206
extra_flags=(${NVCC_EXTRA_FLAGS:-})

work="$(mktemp -d "${TMPDIR:-/tmp}/check_spills.XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do
    if [[ -n "${p}" ]]; then kill "${p}" 2>/dev/null || true; fi
  done
  rm -rf "${work}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "nvcc: ${nvcc} ($("${nvcc}" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'))"
echo "archs: ${archs}; files: ${files[*]}"

# compile INDEX FILE: log to $work/INDEX.log, status to $work/INDEX.rc.
compile() {
  local i="$1" f="$2" start rc=0 verdict="done"
  start=$(date +%s)
  "${nvcc}" "${flags[@]}" "${extra_flags[@]}" -c "${f}" -o /dev/null >"${work}/${i}.log" 2>&1 || rc=$?
  echo "${rc}" >"${work}/${i}.rc"
  if [[ ${rc} -ne 0 ]]; then verdict="FAILED (status ${rc})"; fi
  printf '  %-28s %s in %ds\n' "${f}" "${verdict}" "$(( $(date +%s) - start ))"
}

echo "compiling (can take a minute or more per file)..."
running=0
for i in "${!files[@]}"; do
  if [[ "${jobs}" -eq 1 ]]; then
    echo "  ${files[$i]} ..."
    compile "${i}" "${files[$i]}"
  else
    compile "${i}" "${files[$i]}" &
    pids+=("$!")
    running=$((running + 1))
    if [[ ${running} -ge ${jobs} ]]; then
      wait -n || true
      running=$((running - 1))
    fi
  fi
done
wait || true
pids=()

failed=0
for i in "${!files[@]}"; do
  rc="$(cat "${work}/${i}.rc" 2>/dev/null || echo 2)"
  if [[ "${rc}" -ne 0 ]]; then
    failed=1
    echo "---- nvcc failed on ${files[$i]} (status ${rc}); last lines of its output:" >&2
    grep -v '^ptxas info' "${work}/${i}.log" | tail -n 40 >&2 || true
  fi
done
if [[ -n "${keep_dir}" ]]; then
  mkdir -p "${keep_dir}"
  for i in "${!files[@]}"; do
    cp "${work}/${i}.log" "${keep_dir}/$(basename "${files[$i]}").ptxas.log"
  done
  echo "logs kept in ${keep_dir}"
fi

# Parse the ptxas reports into: file<TAB>arch<TAB>mangled<TAB>regs<TAB>stack<TAB>stores<TAB>loads
#   ptxas info    : Compiling entry function '_Z...' for 'sm_80'
#   ptxas info    : Function properties for _Z...
#       0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
#   ptxas info    : Used 40 registers, used 0 barriers, 392 bytes cmem[0]
# Non-entry functions (noinline device functions) get properties lines too; they are listed with
# registers "-" unless ptxas reports them.
records="${work}/records.tsv"
: >"${records}"
for i in "${!files[@]}"; do
  awk -v file="${files[$i]}" '
    function flush() {
      if (name != "") {
        printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", file, arch, name, regs, stack, st, ld
      }
      name = ""; regs = "-"; stack = "-"; st = "-"; ld = "-"
    }
    BEGIN { name = ""; arch = "?"; regs = "-"; stack = "-"; st = "-"; ld = "-" }
    /Compiling entry function/ {
      flush()
      if (match($0, /function \047[^\047]+\047/)) name = substr($0, RSTART + 10, RLENGTH - 11)
      if (match($0, /for \047[^\047]+\047/)) arch = substr($0, RSTART + 5, RLENGTH - 6)
      next
    }
    /Function properties for / {
      f = $0; sub(/.*Function properties for /, "", f); gsub(/[ \t\r]+$/, "", f)
      if (f != name) { flush(); name = f }
      next
    }
    /bytes stack frame/ {
      if (match($0, /[0-9]+ bytes stack frame/)) stack = substr($0, RSTART, RLENGTH) + 0
      if (match($0, /[0-9]+ bytes spill stores/)) st = substr($0, RSTART, RLENGTH) + 0
      if (match($0, /[0-9]+ bytes spill loads/)) ld = substr($0, RSTART, RLENGTH) + 0
      next
    }
    /ptxas info *: Used [0-9]+ registers/ {
      if (match($0, /Used [0-9]+ registers/)) regs = substr($0, RSTART + 5, RLENGTH - 15) + 0
      next
    }
    /ptxas info *: Compiling / { flush() }   # any other function header ends the record
    END { flush() }
  ' "${work}/${i}.log" >>"${records}"
done

count=$(wc -l <"${records}")
if [[ "${count}" -eq 0 ]]; then
  echo "check_spills.sh: no ptxas function reports found (did ptxas -v run?)" >&2
  exit 2
fi

# Demangle in one batch when c++filt exists.
cut -f3 "${records}" >"${work}/mangled.txt"
if command -v c++filt >/dev/null 2>&1; then
  c++filt <"${work}/mangled.txt" >"${work}/names.txt"
else
  cp "${work}/mangled.txt" "${work}/names.txt"
fi

echo
paste "${records}" "${work}/names.txt" | sort -t$'\t' -k1,1 -k8,8 -k2,2 | awk -F'\t' -v long_names="${long_names}" '
  BEGIN {
    printf "%-6s %5s %6s %7s %7s  %-16s %s\n", "arch", "regs", "stack", "spill_st", "spill_ld", "file", "kernel"
    spills = 0
  }
  {
    bad = ($6 != "-" && $6 > 0) || ($7 != "-" && $7 > 0)
    if (bad) spills++
    f = $1; sub(/.*\//, "", f)
    name = $8
    if (!long_names) {
      # Drop the return type and the parameter list: the template arguments identify the kernel.
      sub(/^void /, "", name)
      if (substr(name, length(name), 1) == ")") {
        depth = 0
        for (k = length(name); k > 0; k--) {
          ch = substr(name, k, 1)
          if (ch == ")") depth++
          else if (ch == "(") { depth--; if (depth == 0) break }
        }
        if (k > 1) name = substr(name, 1, k - 1)
      }
    }
    printf "%-6s %5s %6s %8s %8s  %-16s %s%s\n", $2, $4, $5, $6, $7, f, name, (bad ? "   <-- SPILLS" : "")
  }
  END {
    printf "\n%d function reports, %d with spills\n", NR, spills
  }' | tee "${work}/table.txt"

spilling=$(awk -F'\t' '($6 != "-" && $6 > 0) || ($7 != "-" && $7 > 0)' "${records}" | wc -l)
if [[ "${failed}" -ne 0 ]]; then
  echo "check_spills.sh: nvcc failed on at least one file" >&2
  exit 2
fi
if [[ "${spilling}" -gt 0 ]]; then
  echo "check_spills.sh: ${spilling} kernel report(s) with non-zero spill stores/loads" >&2
  exit 1
fi
echo "check_spills.sh: no spills"
