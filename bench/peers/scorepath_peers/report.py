"""The printed tables (the JSON written with --out holds the same numbers and more)."""

import os
import platform

from .common import EM_RAW_TARGET, MU, S0, SIGMA, STEPS, T1, mean_z
from .em import PEER_ORDER


def fmt_m(x):
    return "-" if x is None else f"{x / 1e6:.1f}"


def fmt_f(x, digits):
    return "-" if x is None else f"{x:.{digits}f}"


def fmt_x(x):
    return "-" if x is None else (f"{x:.2f}x" if x < 100 else f"{x:.0f}x")


def fmt_i(x):
    return "-" if x is None else f"{x:,.0f}"


def print_table_head(hdr):
    print(hdr)
    print("-" * len(hdr))


def print_notes(notes):
    for n in notes:
        print("note: " + n)


def print_header(result, args, versions, blas_line=None):
    print("command: " + result["command"])
    print(f"scorepath vs peers: {args.threads} threads ({os.cpu_count()} CPUs, "
          f"{result['machine']['processor']}); python {platform.python_version()}, "
          + ", ".join(f"{k} {v}" for k, v in versions.items() if v))
    if blas_line:
        print(blas_line)


def starved_runs(res, threads):
    """scorepath runs whose process CPU time stayed below 0.8 x threads x wall time."""
    low = 0.8 * threads
    starved = [f"{k} EM ({v['cpu_per_wall']:.2f})" for k, v in res["ours"].items()
               if v.get("cpu_per_wall") is not None and v["cpu_per_wall"] < low]
    starved += [f"{p} raw normals 1e6 ({v['same']['cpu_per_wall']:.2f})"
                for p, v in res["raw"].items()
                if v.get("same") and v["same"].get("cpu_per_wall") is not None
                and v["same"]["cpu_per_wall"] < low]
    return starved


def print_em(res, args, versions):
    exact = res["problem"]["exact_mean"]
    print(f"Euler-Maruyama, GBM 1-D: dS = {MU} S dt + {SIGMA} S dW, S(0) = {S0:g}, t in [0, {T1:g}], "
          f"{STEPS} steps; {args.threads} threads; best of {args.repeat}")
    print(f"rates in million path-steps/s; ratio = ours / peer (same precision, same paths, "
          f"per path-step); exact EM-chain E[S(1)] = {exact:.4f}")
    print_table_head(f"{'prec':6} {'paths':>8}  {'peer':28} {'peer N':>8}  {'peer M/s':>9}  "
                     f"{'ours M/s':>9}  {'ours/peer':>9}  {'E[S(1)]':>9} {'z':>6}")
    for precision in args.em_precisions:
        for paths in args.em_paths:
            ours = res["ours"].get(f"{precision}/{paths}", {})
            z = mean_z(ours.get("mean"), ours.get("mean_count"))
            print(f"{precision:6} {paths:>8}  {'scorepath CPU':28} {paths:>8}  {'':>9}  "
                  f"{fmt_m(ours.get('rate')):>9}  {'':>9}  {fmt_f(ours.get('mean'), 4):>9} "
                  f"{fmt_f(z, 2):>6}")
            rows = [r for r in res["rows"] if r["precision"] == precision and r["paths"] == paths]
            for r in sorted(rows, key=lambda r: PEER_ORDER.index(r["peer"])):
                label = r["label"] + " " + versions.get(r["peer"], "")
                star = "*" if r["peer_paths"] != paths else " "
                print(f"{'':6} {'':>8}  {label.strip():28} {r['peer_paths']:>8}{star} "
                      f"{fmt_m(r['rate']):>9}  {fmt_m(r['ours_rate']):>9}  "
                      f"{fmt_x(r['ratio']):>9}  {fmt_f(r['mean'], 4):>9} {fmt_f(r['z'], 2):>6}"
                      f"{'  MEAN OFF' if r['z'] is not None and abs(r['z']) > 5 else ''}")
    if any(r["peer_paths"] != r["paths"] for r in res["rows"]):
        print("* peer run with fewer paths (per-path cost does not depend on the path count for "
              "this peer); its rate is per path-step, compared with ours at the full size")
    print()
    print(f"scorepath EM rate / raw Philox normal rate (target >= {EM_RAW_TARGET}; raw(same): "
          f"generate_normals 1e6 x {STEPS}, raw(small): 1e4 x {STEPS})")
    print_table_head(f"{'prec':6} {'paths':>8}  {'EM M/s':>9}  {'raw(same)':>9}  {'ratio':>6}  "
                     f"{'raw(small)':>10}  {'ratio':>6}  result")
    for r in res["raw_ratios"]:
        verdict = {None: "n/a", True: "ok", False: "BELOW"}[r["meets_target"]]
        if r["paths"] != 1_000_000 and r["meets_target"] is not None:
            verdict += " (the target is stated for 1e6 paths)"
        print(f"{r['precision']:6} {r['paths']:>8}  {fmt_m(r['em_rate']):>9}  "
              f"{fmt_m(r['raw_same_rate']):>9}  {fmt_f(r['ratio_same'], 3):>6}  "
              f"{fmt_m(r['raw_small_rate']):>10}  {fmt_f(r['ratio_small'], 3):>6}  {verdict}")
    starved = starved_runs(res, args.threads)
    if starved:
        print("note: scorepath runs whose process CPU time stayed below 0.8 x threads x wall time "
              "(their threads did not get their CPUs; rates not valid): " + ", ".join(starved))
    print_notes(res["notes"])


def ssm_label(e, probes):
    if e["peer"] == "double backprop":
        return "torch double backprop"
    if "vmap" in e["method"]:
        return "torch jvp (vmap over M)"
    return "torch jvp" + (" (batch x M)" if probes > 1 else "")


def ssm_cells(e, row, rtol):
    """What follows the loss columns of a peer's line."""
    o = row["ours"]
    if not e["agrees"]:
        return f"{e['rel_diff']:>8.1e}  MISMATCH (> {rtol:g}): no time reported"
    if "ratio_withheld" in e:
        ratio, target = "withheld", "(generic BLAS core)"
    else:
        ratio, target = fmt_x(e["ratio"]), ""
        if e["peer"] == "double backprop" and row["target"]:
            target = f">={row['target']:g}x {'ok' if e['meets_target'] else 'MISSED'}"
    return (f"{e['rel_diff']:>8.1e}  {fmt_i(o['samples_per_second']):>11} "
            f"{fmt_i(e['samples_per_second']):>10} {e['batch_rows']:>9} {ratio:>9}  {target}")


def print_ssm(res, args, versions):
    print(f"Sliced score matching, float, Gaussian probes; {args.threads} threads; best of "
          f"{args.ssm_repeat} after a warm-up call, both sides")
    if res.get("device") == "cuda":
        print("on the GPU: scorepath's CUDA backend (its timed calls include copying the samples "
              "from host memory) against PyTorch with every tensor on the device; no targets")
    print("loss = mean[(v'S)^2 + 2 v'Jv] (scorepath unscaled; PyTorch's 0.5 p^2 + q doubled); "
          f"a time is reported only when |ours - peer| <= {args.rtol:g} x |loss|")
    print("rates in samples/s (N samples with M probes each per evaluation); ratio = ours / peer;"
          " rows/call: PyTorch mini-batch (samples x M)")
    print_table_head(f"{'model':6} {'M':>2} {'N':>6}  {'peer':23} {'loss ours':>10} "
                     f"{'loss peer':>10} {'rel.diff':>8}  {'ours smp/s':>11} {'peer smp/s':>10} "
                     f"{'rows/call':>9} {'ours/peer':>9}  target")
    for row in res["rows"]:
        o = row["ours"]
        lead = f"{row['model']:6} {row['probes']:>2} {row['samples']:>6}  "
        if not row["peers"]:
            print(lead + f"{'(scorepath only)':23} {o['loss']:>10.6g} {'':>10} {'':>8}  "
                  f"{fmt_i(o['samples_per_second']):>11}")
        for e in row["peers"]:
            head = lead + f"{ssm_label(e, row['probes']):23} {o['loss']:>10.6g} "
            if "error" in e:
                print(head + f"{'failed':>10}  {e['error'][:70]}")
            else:
                print(head + f"{e['loss']:>10.6g} " + ssm_cells(e, row, args.rtol))
    print_notes(res["notes"])


def print_train(res, args):
    print(f"One training step, float: SSM-VR loss and gradient + Adam, batch {args.train_batch}, "
          f"Gaussian probes; {args.threads} threads; best of {args.repeat} x {args.train_steps} "
          "steps, both sides")
    print(f"a time is reported only when the loss agrees to {args.rtol:g} and the gradient to "
          f"{args.gradient_rtol:g} (relative L2); rates in samples/s; ratio = ours / peer")
    print_table_head(f"{'model':6} {'M':>2}  {'peer':24} {'loss ours':>10} {'loss rel':>8} "
                     f"{'grad rel':>8}  {'ours smp/s':>11} {'peer smp/s':>10} {'ours/peer':>9}"
                     "  target")
    for row in res["rows"]:
        o = row["ours"]
        lead = f"{row['model']:6} {row['probes']:>2}  "
        if not row["peers"]:
            print(lead + f"{'(scorepath only)':24} {o['loss']:>10.6g} {'':>8} {'':>8}  "
                  f"{fmt_i(o['samples_per_second']):>11}")
        for e in row["peers"]:
            head = lead + f"{'torch ' + e['peer']:24} {o['loss']:>10.6g} "
            if "error" in e:
                print(head + f"failed: {e['error'][:70]}")
                continue
            cells = f"{e['rel_diff']:>8.1e} {e['gradient_rel_diff']:>8.1e}  "
            if not e["agrees"]:
                print(head + cells + "MISMATCH: no time reported")
                continue
            target = ""
            if e["peer"] == "double backprop" and row["target"]:
                target = f">={row['target']:g}x {'ok' if e['meets_target'] else 'MISSED'}"
            print(head + cells + f"{fmt_i(o['samples_per_second']):>11} "
                  f"{fmt_i(e['samples_per_second']):>10} {fmt_x(e['ratio']):>9}  {target}")
    print_notes(res["notes"])


def print_sample(res, args):
    print(f"Sampling, float: reverse VP SDE, {args.sample_paths} paths x {args.sample_steps} "
          f"steps + denoising, VP-conditioned network; {args.threads} threads; best of "
          f"{args.repeat}, both sides")
    print(f"a time is reported only when the network's scores agree to {args.rtol:g}; rates in "
          "path-steps/s (paths x score evaluations); ratio = ours / peer")
    print_table_head(f"{'peer':24} {'score rel':>9}  {'ours':>11} {'peer':>11} {'ours/peer':>9}"
                     "  target")
    for row in res["rows"]:
        o = row["ours"]
        if not row["peers"]:
            print(f"{'(scorepath only)':24} {'':>9}  {fmt_i(o['path_steps_per_second']):>11}")
        for e in row["peers"]:
            if "error" in e:
                print(f"{e['peer']:24} failed: {e['error'][:70]}")
            elif not e["agrees"]:
                print(f"{e['peer']:24} {e['score_rel_diff']:>9.1e}  MISMATCH: no time reported")
            else:
                verdict = f">={row['target']:g}x {'ok' if e['meets_target'] else 'MISSED'}"
                print(f"{e['peer']:24} {e['score_rel_diff']:>9.1e}  "
                      f"{fmt_i(o['path_steps_per_second']):>11} "
                      f"{fmt_i(e['path_steps_per_second']):>11} {fmt_x(e['ratio']):>9}  {verdict}")
    print_notes(res["notes"])


def strict_failures(result):
    """Whether a check failed or a target was missed (the exit status under --strict)."""
    for r in result.get("ssm", {}).get("rows", []):
        for e in r["peers"]:
            if e.get("agrees") is False or e.get("meets_target") is False \
                    or "ratio_withheld" in e:
                return True
    for r in result.get("train", {}).get("rows", []):
        for e in r["peers"]:
            if e.get("agrees") is False or (e["peer"] == "double backprop"
                                             and e.get("meets_target") is False):
                return True
    for r in result.get("sample", {}).get("rows", []):
        if any(e.get("agrees") is False or e.get("meets_target") is False for e in r["peers"]):
            return True
    for r in result.get("em", {}).get("raw_ratios", []):
        if r["paths"] == 1_000_000 and r["meets_target"] is False:
            return True
    return any(r.get("z") is not None and abs(r["z"]) > 5
               for r in result.get("em", {}).get("rows", []))
