"""Unit tests of the pure-Python parts of the peer script (no numpy, no torch, no binaries):
    python3 -m unittest discover -s bench/peers -p 'test_*.py'"""

import contextlib
import importlib
import io
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scorepath_peers import blas, cli, common, machine, report, ssm  # noqa: E402

MODULES = ("blas", "cli", "common", "em", "machine", "report", "sample", "ssm", "ssm_torch",
           "train", "train_torch", "workers")

SKYLAKE_FLAGS = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2 avx512f avx512dq avx512cd " \
                "avx512bw avx512vl"
HASWELL_FLAGS = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2"


def parse(*argv):
    return cli.parse_args(list(argv))


def usage_error(*argv):
    """The message a usage error exits with."""
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            parse(*argv)
        except SystemExit as e:
            return str(e.code)
    raise AssertionError(f"{argv} was accepted")


class ModulesImport(unittest.TestCase):
    def test_every_module_imports_without_numpy_or_torch(self):
        for name in MODULES:
            with self.subTest(module=name):
                importlib.import_module("scorepath_peers." + name)

    def test_help_runs(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers.py")
        proc = subprocess.run([sys.executable, script, "--help"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("--only {em,ssm,train,sample}", proc.stdout)
        self.assertIn("OPENBLAS_CORETYPE", proc.stdout)


class ArgumentParsing(unittest.TestCase):
    def test_defaults(self):
        a = parse()
        self.assertEqual((a.threads, a.repeat, a.ssm_repeat, a.numpy_procs), (2, 3, 5, 2))
        self.assertEqual(a.em_paths, [100000, 1000000])
        self.assertEqual(a.em_precisions, ["float", "double"])
        self.assertEqual(a.ssm_models, ["gmm16", "mlp2", "mlp64", "net2", "net64"])
        self.assertEqual((a.train_models, a.train_probes, a.train_batch),
                         (["net2", "net64"], [1, 4], 256))
        self.assertEqual(a.ssm_probes, [1, 4])
        self.assertEqual(a.ssm_samples, common.DEFAULT_SSM_SAMPLES)
        self.assertEqual(a.torch_batch_rows, "auto")

    def test_documented_commands(self):
        a = parse("--threads", "2", "--build-dir", "build", "--out", "peers.json")
        self.assertEqual((a.build_dir, a.out, a.only), ("build", "peers.json", None))
        a = parse("--build-dir", "build-peers", "--only", "ssm", "--ssm-models", "gmm16")
        self.assertEqual((a.only, a.ssm_models), ("ssm", ["gmm16"]))

    def test_sizes_and_samples(self):
        a = parse("--em-paths", "1e5, 2_000", "--ssm-samples", "mlp2=4096,gmm16=1e3",
                  "--threads", "4", "--repeat", "7", "--torch-batch-rows", "0")
        self.assertEqual(a.em_paths, [100000, 2000])
        self.assertEqual(a.ssm_samples, {"gmm16": 1000, "mlp2": 4096, "mlp64": 8192,
                                         "net2": 16384, "net64": 8192})
        self.assertEqual((a.numpy_procs, a.ssm_repeat, a.torch_batch_rows), (4, 7, 0))
        self.assertEqual(parse("--ssm-samples", "512").ssm_samples,
                         {k: 512 for k in common.SSM_MODELS})

    def test_quick(self):
        a = parse("--quick", "--quantlib-max-paths", "50000")
        self.assertEqual((a.repeat, a.ssm_repeat, a.em_paths), (1, 1, [100000]))
        self.assertEqual(a.quantlib_max_paths, 20000)
        self.assertEqual(a.ssm_samples, {k: 1024 for k in common.SSM_MODELS})

    def test_device(self):
        self.assertEqual((parse().device, parse().only), ("cpu", None))
        self.assertEqual((parse("--device", "cuda").device, parse("--device", "cuda").only),
                         ("cuda", "ssm"))

    def test_usage_errors_name_the_option_and_value(self):
        cases = [
            (("--threads", "0"), "--threads"),
            (("--repeat", "0"), "--repeat"),
            (("--em-precisions", "float,half"), "'half'"),
            (("--ssm-models", "gmm3"), "'gmm3'"),
            (("--em-paths", "ten"), "--em-paths: 'ten'"),
            (("--ssm-probes", "0"), "--ssm-probes"),
            (("--ssm-samples", "gmm2=10"), "'gmm2'"),
            (("--torch-batch-rows", "many"), "--torch-batch-rows"),
            (("--torch-batch-rows", "-1"), "--torch-batch-rows"),
            (("--device", "cuda", "--only", "em"), "--device cuda runs the ssm section only"),
        ]
        for argv, expect in cases:
            with self.subTest(argv=argv):
                self.assertIn(expect, usage_error(*argv))


class BlasCore(unittest.TestCase):
    def test_best_core_from_flags(self):
        cases = [
            ("GenuineIntel", SKYLAKE_FLAGS, "SkylakeX"),
            ("AuthenticAMD", SKYLAKE_FLAGS, "SkylakeX"),          # Zen 4
            ("GenuineIntel", HASWELL_FLAGS, "Haswell"),
            ("AuthenticAMD", HASWELL_FLAGS, "Zen"),
            ("HygonGenuine", HASWELL_FLAGS, "Zen"),
            ("GenuineIntel", HASWELL_FLAGS + " avx512f", "Haswell"),   # AVX-512F alone
            ("GenuineIntel", "fpu sse sse2 avx", "Sandybridge"),
            ("AuthenticAMD", "fpu sse sse2 avx", "Bulldozer"),
            ("GenuineIntel", "fpu sse sse2 sse3", None),
            ("", "", None),                                       # not x86, or unknown
        ]
        for vendor, flags, expect in cases:
            with self.subTest(vendor=vendor, flags=flags):
                self.assertEqual(blas.best_core(vendor, flags), expect)
                self.assertEqual(blas.best_core(vendor, set(flags.split())), expect)

    def test_older_cores(self):
        cases = [("Prescott", "SkylakeX", True), ("PRESCOTT", "Haswell", True),
                 ("Haswell", "SkylakeX", True), ("Zen", "Haswell", False),
                 ("SkylakeX", "SkylakeX", False), ("Cooperlake", "SkylakeX", False),
                 ("Sandybridge", "Zen", True), ("NEOVERSEN1", "SkylakeX", False),
                 ("Prescott", None, False)]
        for core, best, expect in cases:
            with self.subTest(core=core, best=best):
                self.assertEqual(blas.is_older(core, best), expect)

    def test_choice(self):
        probe = {"cores": [{"library": "/usr/lib/libopenblas.so.0", "core": "Prescott"}]}
        d = blas.choose(probe, "GenuineIntel", SKYLAKE_FLAGS)
        self.assertEqual((d["reported"], d["cpu_best"], d["coretype"]),
                         (["Prescott"], "SkylakeX", "SkylakeX"))
        self.assertIsNone(blas.choose(probe, "GenuineIntel", SKYLAKE_FLAGS, "Haswell")["coretype"])
        good = {"cores": [{"library": "x", "core": "SkylakeX"}]}
        self.assertIsNone(blas.choose(good, "GenuineIntel", SKYLAKE_FLAGS)["coretype"])
        self.assertIsNone(blas.choose({"cores": []}, "GenuineIntel", SKYLAKE_FLAGS)["coretype"])
        self.assertTrue(blas.below_best(["Prescott"], "SkylakeX"))
        self.assertFalse(blas.below_best(["SkylakeX"], "SkylakeX"))
        self.assertFalse(blas.below_best([], "SkylakeX"))

    def test_environments_and_description(self):
        forced = {"reported": ["Prescott"], "cpu_best": "SkylakeX", "preset": None,
                  "coretype": "SkylakeX", "used": ["SkylakeX"]}
        env = {"PATH": "/bin", blas.CORETYPE_VAR: "SkylakeX"}
        self.assertNotIn(blas.CORETYPE_VAR, blas.environ_without(env, forced))
        self.assertIn(blas.CORETYPE_VAR, env)
        self.assertIn(blas.CORETYPE_VAR, blas.environ_without(env, dict(forced, coretype=None)))
        line = blas.describe(forced)
        for part in ("Prescott", "best for this CPU: SkylakeX", "OPENBLAS_CORETYPE=SkylakeX",
                     "core used: SkylakeX"):
            self.assertIn(part, line)
        self.assertIn("no OpenBLAS", blas.describe({"reported": []}))

    def test_cpuinfo_fields(self):
        text = ("processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon\n"
                "flags\t\t: sse avx2\n")
        self.assertEqual(machine.cpuinfo_field("vendor_id", text), "GenuineIntel")
        self.assertEqual(machine.cpuinfo_field("flags", text), "sse avx2")
        self.assertIsNone(machine.cpuinfo_field("bogus", text))


class Helpers(unittest.TestCase):
    def test_split_paths(self):
        self.assertEqual(common.split_paths(10, 3), [4, 3, 3])
        self.assertEqual(common.split_paths(2, 4), [1, 1])
        self.assertEqual(sum(common.split_paths(1_000_001, 2)), 1_000_001)

    def test_exact_moments_one_step(self):
        mean, var = common.em_exact_moments(1)
        self.assertAlmostEqual(mean, common.S0 * (1 + common.MU * common.T1))
        self.assertAlmostEqual(var, (common.S0 * common.SIGMA) ** 2 * common.T1)
        self.assertIsNone(common.mean_z(None, 10))
        self.assertAlmostEqual(common.mean_z(common.em_exact_moments()[0], 100), 0.0)

    def test_time_best_and_agree(self):
        calls = []
        best, cpu_wall, values = common.time_best(lambda: calls.append(1) or len(calls), 3)
        self.assertEqual((len(calls), values), (4, [2, 3, 4]))
        self.assertGreaterEqual(best, 0.0)
        self.assertEqual(common.agree(1.0, 1.00001, 1e-4)[1], True)
        self.assertEqual(common.agree(1.0, 1.001, 1e-4)[1], False)
        self.assertEqual((common.plural(1, "proc"), common.plural(2, "proc")),
                         ("1 proc", "2 procs"))


def ssm_row(entries, model="mlp2", target=3.0):
    return {"model": model, "probes": 4, "samples": 1024, "dim": 2, "target": target,
            "ours": {"loss": -2.5, "samples_per_second": 3.0e6}, "peers": entries}


def timed(peer, method, sps, ratio):
    return {"peer": peer, "method": method, "loss": -2.50001, "rel_diff": 4e-6, "agrees": True,
            "batch_rows": 4096, "samples_per_second": sps, "ratio": ratio}


class Tables(unittest.TestCase):
    def test_number_formats(self):
        self.assertEqual([report.fmt_m(None), report.fmt_m(2.32e9)], ["-", "2320.0"])
        self.assertEqual([report.fmt_x(8.25), report.fmt_x(150.4), report.fmt_x(None)],
                         ["8.25x", "150x", "-"])
        self.assertEqual([report.fmt_i(1234567.8), report.fmt_f(1.23456, 2)], ["1,234,568", "1.23"])

    def test_targets_per_model_and_probe_count(self):
        self.assertEqual([common.ssm_target("gmm16", m) for m in (1, 4, 16)], [20.0, 10.0, 10.0])
        self.assertEqual([common.ssm_target("mlp64", m) for m in (1, 4)], [3.0, 3.0])
        self.assertIsNone(common.ssm_target("unknown", 1))

    def test_forward_pick_and_targets(self):
        fwd = [timed("forward jvp", "torch.func.jvp, batch x M", 1e6, 3.0),
               timed("forward jvp", "torch.func.jvp, vmap over M", 2e6, 1.5)]
        pick = ssm.fastest_forward(fwd)
        self.assertEqual(pick["method"], "torch.func.jvp, vmap over M")
        self.assertEqual(len(pick["variants"]), 2)
        row = ssm_row([timed("double backprop", "autograd", 1e6, 3.0), pick])
        ssm.judge(row, None)
        self.assertEqual([e["meets_target"] for e in row["peers"]], [True, None])
        self.assertFalse(report.strict_failures({"ssm": {"rows": [row]}}))
        row = ssm_row([timed("double backprop", "autograd", 1e6, 3.0)])
        ssm.judge(row, "generic core")
        self.assertNotIn("ratio", row["peers"][0])
        self.assertIsNone(row["peers"][0]["meets_target"])
        self.assertTrue(report.strict_failures({"ssm": {"rows": [row]}}))

    def test_ssm_table(self):
        args = cli.parse_args(["--threads", "2"])
        mismatch = dict(timed("forward jvp", "f, batch x M", None, None), agrees=False,
                        rel_diff=0.5)
        withheld = timed("double backprop", "autograd", 1e6, 3.0)
        rows = [ssm_row([timed("double backprop", "autograd", 1e6, 3.0),
                         {"peer": "forward jvp", "method": "f, vmap over M",
                          "error": "RuntimeError: no jvp rule"}]),
                ssm_row([withheld, mismatch], model="mlp64"), ssm_row([], model="gmm16")]
        ssm.judge(rows[0], None)
        ssm.judge(rows[1], "generic core")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            report.print_ssm({"rows": rows, "notes": ["a note"]}, args, {})
        lines = out.getvalue().splitlines()
        header = next(i for i, line in enumerate(lines) if line.startswith("model"))
        self.assertEqual(set(lines[header + 1]), {"-"})
        body = lines[header + 2:]
        self.assertEqual(body[0], "mlp2    4   1024  torch double backprop         -2.5   -2.50001 "
                                  " 4.0e-06    3,000,000  1,000,000      4096     3.00x  >=3x ok")
        self.assertIn("torch jvp (vmap over M)", body[1])
        self.assertIn("failed", body[1])
        self.assertIn("withheld", body[2])
        self.assertIn("MISMATCH (> 0.0001): no time reported", body[3])
        self.assertIn("(scorepath only)", body[4])
        self.assertEqual(body[5], "note: a note")


class CudaMode(unittest.TestCase):
    def test_driver_gets_the_backend(self):
        with tempfile.TemporaryDirectory() as tmp:
            driver = os.path.join(tmp, "fake_driver")
            with open(driver, "w", encoding="utf-8") as f:
                f.write("#!/bin/sh\nprintf '{\"argv\": \"%s\"}' \"$*\"\n")
            os.chmod(driver, 0o755)
            ctx = {"workdir": tmp, "ssm_driver": driver, "scorepath_env": dict(os.environ)}
            for device in ("cpu", "cuda"):
                with self.subTest(device=device), \
                        contextlib.redirect_stderr(io.StringIO()):
                    out, cmd = ssm.run_driver(parse("--device", device), ctx, "gmm16", 16, 1)
                    self.assertIn(f"--backend {device}", out["argv"])
                    self.assertIn(f"--backend {device}", cmd)

    def test_without_a_gpu_for_torch_nothing_is_compared(self):
        if common.have_module("torch"):
            import torch
            if torch.cuda.is_available():
                self.skipTest("PyTorch sees a CUDA device here")
        # The driver does not exist: the section must stop before running it.
        ctx = {"ssm_driver": "/nonexistent/ssm_driver", "workdir": "/nonexistent"}
        res = ssm.ssm_section(parse("--device", "cuda"), ctx)
        self.assertEqual((res["device"], res["rows"]), ("cuda", []))
        self.assertTrue(any("torch" in n.lower() for n in res["notes"]), res["notes"])
