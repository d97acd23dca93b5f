"""The machine and the software at hand: CPU, peer versions, binaries, the interpreter."""

import json
import os
import platform
import subprocess
import sys

from .common import SCRIPT, have_module, log


def cpuinfo_field(name, text=None):
    """The first value of `name` in /proc/cpuinfo (or in `text`), or None."""
    if text is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as f:
                text = f.read()
        except OSError:
            return None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == name:
            return value.strip()
    return None


def cpu_model():
    return cpuinfo_field("model name") or platform.processor() or "unknown CPU"


def cpu_features():
    """(vendor id, set of CPU flags) as the kernel reports them; empty where unknown."""
    return cpuinfo_field("vendor_id") or "", set((cpuinfo_field("flags") or "").split())


def peer_versions():
    v = {}
    if have_module("numpy"):
        import numpy
        v["numpy"] = numpy.__version__
    if have_module("torch"):
        import torch
        v["torch"] = torch.__version__.split("a0")[0].split("+")[0]
    return v


def quantlib_version(driver):
    try:
        proc = subprocess.run([driver, "--paths", "1", "--steps", "1", "--repeat", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              timeout=30)
        return json.loads(proc.stdout.strip().splitlines()[-1])["peer"].split()[1]
    except (OSError, ValueError, KeyError, IndexError, subprocess.TimeoutExpired):
        return ""


def is_executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_binary(explicit, candidates, what):
    """`explicit` if given (exits when it is not an executable), else the first executable
    candidate, else None."""
    if explicit:
        if not is_executable(explicit):
            sys.exit(f"peers.py: {what} not found or not executable: {explicit}")
        return explicit
    return next((c for c in candidates if is_executable(c)), None)


def find_binaries(args):
    """The scorepath and peer-driver binaries: bench, cli, ssm_driver, quantlib (None if absent),
    and the directory searched for the drivers."""
    build = args.build_dir
    peers_dir = args.peers_dir or os.path.join(build, "bench", "peers")
    found = {
        "bench": find_binary(args.bench, [os.path.join(build, "bench", "scorepath_bench")],
                             "scorepath_bench"),
        "cli": find_binary(args.cli, [os.path.join(build, "apps", "scorepath")], "scorepath"),
        "ssm_driver": find_binary(args.ssm_driver, [os.path.join(peers_dir, "ssm_driver")],
                                  "ssm_driver"),
        "quantlib": find_binary(args.quantlib_driver, [os.path.join(peers_dir, "em_quantlib")],
                                "em_quantlib"),
    }
    return found, peers_dir


def maybe_reexec(args_list):
    """Restart under /usr/bin/python3 when this interpreter has neither numpy nor torch and the
    system one has them (Debian's python3-numpy / python3-torch)."""
    if "--no-reexec" in args_list or os.environ.get("SCOREPATH_PEERS_REEXEC"):
        return
    if have_module("numpy") or have_module("torch"):
        return
    system = "/usr/bin/python3"
    if not os.path.exists(system) or os.path.realpath(sys.executable) == os.path.realpath(system):
        return
    probe = subprocess.run([system, "-c", "import numpy"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        return
    log(f"peers.py: {sys.executable} has neither numpy nor torch; restarting under {system}")
    os.environ["SCOREPATH_PEERS_REEXEC"] = "1"
    os.execv(system, [system, SCRIPT] + args_list)
