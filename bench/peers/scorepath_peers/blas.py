"""Which OpenBLAS core the numpy and PyTorch peers run, and the best one for this CPU.

A DYNAMIC_ARCH OpenBLAS picks its kernels from the CPU model when it loads; an older build that
does not know the model falls back to a generic core (Debian's 0.3.21 runs `Prescott`, SSE3
kernels, on some AVX-512 Xeons), and PyTorch's matrix products then run several times slower
than the machine allows. The core is read from the loaded library (openblas_get_corename through
ctypes, or threadpoolctl), compared with the best core for the CPU's flags, and when it is older
the peers get OPENBLAS_CORETYPE=<best> (read by OpenBLAS when it loads, so it is set before numpy
or torch is imported, for the peer processes only).
"""

import ctypes
import json
import subprocess
import sys

from .common import SCRIPT, have_module

CORETYPE_VAR = "OPENBLAS_CORETYPE"

# OpenBLAS x86 core names by the widest vector instructions their kernels use.
_TIER_CORES = {
    1: ("katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
        "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano",
        "bobcat"),
    2: ("sandybridge", "bulldozer", "piledriver", "steamroller", "excavator"),   # AVX
    3: ("haswell", "zen"),                                                         # AVX2 + FMA
    4: ("skylakex", "cooperlake", "sapphirerapids"),                               # AVX-512
}
_CORE_TIER = {core: tier for tier, cores in _TIER_CORES.items() for core in cores}
_AVX512 = {"avx512f", "avx512bw", "avx512vl", "avx512dq"}
_AMD_VENDORS = ("AuthenticAMD", "HygonGenuine")


def core_tier(core):
    """1 (SSE), 2 (AVX), 3 (AVX2), 4 (AVX-512) for an OpenBLAS x86 core name, else None."""
    return _CORE_TIER.get((core or "").strip().lower())


def best_core(vendor, flags):
    """The OpenBLAS core whose kernels make the best use of a CPU with these /proc/cpuinfo flags,
    or None when no x86 vector extension beyond SSE is present (nothing better to choose)."""
    flags = set(flags.split()) if isinstance(flags, str) else set(flags)
    amd = vendor in _AMD_VENDORS
    if _AVX512 <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Zen" if amd else "Haswell"
    if "avx" in flags:
        return "Bulldozer" if amd else "Sandybridge"
    return None


def is_older(core, than):
    """Whether `core` uses narrower vector kernels than core `than` (False when either is not a
    known x86 core)."""
    a, b = core_tier(core), core_tier(than)
    return a is not None and b is not None and a < b


def choose(probe, vendor, flags, preset=None):
    """The decision for the peers, from a probe's {"cores": [{"library", "core"}...]}: a dict
    with reported (core names), cpu_best, preset (OPENBLAS_CORETYPE already in the environment)
    and coretype (the value to set for the peers, or None)."""
    reported = [c["core"] for c in probe.get("cores", []) if c.get("core")]
    best = best_core(vendor, flags)
    force = None
    if preset is None and best and any(is_older(c, best) for c in reported):
        force = best
    return {"reported": reported, "cpu_best": best, "preset": preset, "coretype": force}


def below_best(cores, best):
    """Whether any of the cores runs narrower kernels than `best`."""
    return bool(best) and any(is_older(c, best) for c in cores)


def mapped_libraries(word="blas"):
    """Paths of the shared libraries mapped into this process whose path contains `word`."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            maps = f.read()
    except OSError:
        return []
    return sorted({line.split()[-1] for line in maps.splitlines()
                   if line.split() and word in line.split()[-1].lower()})


def _corename(path):
    """openblas_get_corename() of a loaded library (plain, or with the scipy_ / 64_ affixes of
    the wheels' bundled builds), or None."""
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return None
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_"):
            fn = getattr(lib, f"{prefix}openblas_get_corename{suffix}", None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                name = fn()
                return name.decode("ascii", "replace") if name else None
    return None


def probe_loaded_cores():
    """Run inside a probe process: imports numpy and torch (those installed), makes them load
    their BLAS, and returns {"cores": [{"library", "core", "source"}], "libraries": [...]}."""
    if have_module("numpy"):
        import numpy
        numpy.ones((8, 8)) @ numpy.ones((8, 8))
    if have_module("torch"):
        import torch
        torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    libraries = mapped_libraries()
    cores = []
    for path in libraries:
        name = _corename(path)
        if name:
            cores.append({"library": path, "core": name, "source": "openblas_get_corename"})
    if not cores and have_module("threadpoolctl"):
        import threadpoolctl
        for info in threadpoolctl.threadpool_info():
            if info.get("internal_api") == "openblas" and info.get("architecture"):
                cores.append({"library": info.get("filepath"), "core": info["architecture"],
                              "source": "threadpoolctl"})
    return {"cores": cores, "libraries": libraries}


def probe_main():
    """The --worker blas-probe entry: prints probe_loaded_cores() as one JSON line."""
    print(json.dumps(probe_loaded_cores()), flush=True)
    return 0


def run_probe(env):
    """probe_loaded_cores() in a fresh interpreter with environment `env` (the core is fixed
    when OpenBLAS loads, so it cannot be read again in this process). {"error": ...} on failure."""
    try:
        proc = subprocess.run([sys.executable, SCRIPT, "--worker", "blas-probe"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env, timeout=300)
        if proc.returncode != 0:
            return {"cores": [], "error": proc.stderr.strip()[-300:]}
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.TimeoutExpired) as e:
        return {"cores": [], "error": str(e)}


def configure(env, vendor, flags):
    """Probes the OpenBLAS core the peers load under `env`, and when it is older than the best
    for this CPU, probes again with OPENBLAS_CORETYPE set to the best one. Returns the record
    kept in the JSON: the decision of choose(), the cores in use ("used") and "generic" (True
    when the peers still run narrower kernels than the CPU has)."""
    preset = env.get(CORETYPE_VAR)
    first = run_probe(env)
    info = choose(first, vendor, flags, preset)
    info.update(libraries=[c["library"] for c in first.get("cores", [])], used=info["reported"])
    if first.get("error"):
        info["probe_error"] = first["error"]
    if info["coretype"]:
        second = run_probe(dict(env, **{CORETYPE_VAR: info["coretype"]}))
        info["used"] = [c["core"] for c in second.get("cores", []) if c.get("core")]
        if second.get("error"):
            info["probe_error"] = second["error"]
    info["generic"] = below_best(info["used"], info["cpu_best"])
    return info


def describe(info):
    """One line for the report."""
    if not info.get("reported"):
        why = f" ({info['probe_error']})" if info.get("probe_error") else ""
        return f"BLAS: no OpenBLAS loaded by numpy/PyTorch{why}"
    text = f"BLAS: OpenBLAS core {', '.join(info['reported'])}"
    if info.get("preset"):
        text += f" ({CORETYPE_VAR}={info['preset']} set in the environment)"
    text += f"; best for this CPU: {info.get('cpu_best') or 'n/a'}"
    if info.get("coretype"):
        text += (f"; numpy and PyTorch peers run with {CORETYPE_VAR}={info['coretype']}, "
                 f"core used: {', '.join(info['used']) or 'unknown'}")
    return text


def environ_without(env, info):
    """A copy of `env` without the OPENBLAS_CORETYPE that was set for the peers (scorepath's own
    binaries and QuantLib run in the environment they were given)."""
    out = dict(env)
    if info.get("coretype"):
        out.pop(CORETYPE_VAR, None)
    return out


def reference_blas_note():
    """PyTorch's matrix products with the netlib reference BLAS would be far from its usual
    speed: say so when that is the library loaded."""
    try:
        import torch
        torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    except ImportError:
        return None
    libs = mapped_libraries()
    if libs and not any(k in " ".join(libs).lower() for k in ("openblas", "mkl", "blis")):
        return ("PyTorch is using the reference BLAS (" + ", ".join(libs) + "): install an "
                "optimised one (bash scripts/setup_peers.sh installs libopenblas0-openmp)")
    return None
