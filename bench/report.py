#!/usr/bin/python3
"""Joins JMH's JSON (-rf json) and bench/pytorch/bench_torch.py's JSON into a Markdown report and a
frames-per-second plot. The whole model is compared with both baselines: PyTorch (bench_torch.py)
and ONNX Runtime's Java API (OrtBench, in the same JMH run as ModelBench; both of its spinning
settings recorded, the faster quoted). Several rounds (run-comparison.sh's ROUNDS: one JMH and one
PyTorch JSON each) give the median and the spread.

Achieved rates come from the benchmarks' own counters: every kernel benchmark declares the bytes
and FLOPs of one operation (bench/src/.../Work.java) and adds them to JMH @AuxCounters, which JMH
reports per second beside the score. The bound of a kernel is a roofline built from the bounds
measured in the same JMH run (BoundsBench): time >= max(bytes / bandwidth, flops / peak), with the
bandwidth of the smallest memory level its working set (bytes of one operation) fits in: up to
1 MiB the L2 copy, up to 16 MiB the L3 copy, beyond that the DRAM copy; kernels that call exp also
get exps / (measured Math.exp throughput) as a third ceiling. The fraction of the bound is that
lower bound on the time divided by the measured time.

    /usr/bin/python3 bench/report.py --jmh J.json [J2.json...] --torch T.json [T2.json...] --machine M.txt --md out.md --png out.png
"""
import argparse
import json

L2_MAX = 1 << 20
L3_MAX = 16 << 20

# JMH kernel key -> the PyTorch timings it is compared with (the fastest one that exists wins;
# each alternative computes the same function)
TORCH_ALTERNATIVES = {
    "kp2gaussian": ["kp2gaussian", "kp2gaussian(matmul)"],
    "gaussian2kp": ["gaussian2kp", "gaussian2kp(matmul)"],
}

FAMILY_ORDER = ["gridSample", "kp2gaussian", "gaussian2kp", "softmaxPixels", "convBlock", "avgPool2x2",
                "upsampleNearest2x"]
MODELS = ["shapes", "nemo", "moving-gif", "vox"]


def jmh_results(path):
    out = {}
    for r in json.load(open(path)):
        if ".Gpu" in r["benchmark"]:
            continue  # GPU benchmarks share these method names; bench/report_gpu.py reports them
        method = r["benchmark"].rsplit(".", 1)[1]
        params = r.get("params") or {}
        if ".OrtBench." in r["benchmark"]:
            key = f"ort-{method}:{params['config']}:spin{params['spinning']}"
        elif "config" in params:
            key = f"{method}:{params['config']}"
        elif params:
            key = method + ":" + ",".join(v for k, v in sorted(params.items()) if k != "batch")
        else:
            key = method
        sec = r.get("secondaryMetrics", {})
        out[key] = {"score": r["primaryMetric"]["score"], "error": r["primaryMetric"].get("scoreError"),
                    "bytes": sec.get("bytes", {}).get("score", 0.0), "flops": sec.get("flops", {}).get("score", 0.0),
                    "exps": sec.get("exps", {}).get("score", 0.0),
                    "frames": sec.get("frames", {}).get("score", 0.0),
                    "frames_raw": [x for fork in sec.get("frames", {}).get("rawData", []) for x in fork],
                    "params": params}
    return out


def fmt(x, digits=3):
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def bounds(j):
    b = {"L2": j.get("copy:L2", {}).get("bytes"), "L3": j.get("copy:L3", {}).get("bytes"),
         "DRAM": j.get("copy:DRAM", {}).get("bytes"), "simd": j.get("fmaPeakSimd", {}).get("flops"),
         "scalar": j.get("fmaPeakScalar", {}).get("flops"), "exp": j.get("expThroughput", {}).get("exps")}
    return b


def roofline(b, bytes_per_op, flops_per_op, exps_per_op=0):
    level = "L2" if bytes_per_op <= L2_MAX else "L3" if bytes_per_op <= L3_MAX else "DRAM"
    ceilings = [(bytes_per_op / b[level] if b[level] else 0, f"{level} bandwidth"),
                (flops_per_op / b["simd"] if b["simd"] else 0, "SIMD FMA peak"),
                (exps_per_op / b["exp"] if b.get("exp") else 0, "Math.exp throughput")]
    return max(ceilings)


def torch_ms(t, key):
    names = TORCH_ALTERNATIVES.get(key, [key])
    best = None
    for n in names:
        if n in t["kernels"]:
            ms = t["kernels"][n]["ms"]
            if best is None or ms < best[0]:
                best = (ms, n)
    return best


def kernel_rows(j, t, b):
    rows = []
    keys = [k for k in j if k.split(":")[0] in FAMILY_ORDER]
    keys.sort(key=lambda k: (FAMILY_ORDER.index(k.split(":")[0]), k))
    for k in keys:
        r = j[k]
        ms = 1e3 / r["score"]
        bytes_op, flops_op = r["bytes"] / r["score"], r["flops"] / r["score"]
        t_bound, limiter = roofline(b, bytes_op, flops_op, r["exps"] / r["score"])
        tm = torch_ms(t, k) if t else None
        rows.append({"key": k, "ms": ms, "gbs": r["bytes"] / 1e9, "gflops": r["flops"] / 1e9,
                     "bytes_op": bytes_op, "flops_op": flops_op, "intensity": flops_op / bytes_op if bytes_op else 0,
                     "fraction": (t_bound * 1e3) / ms if t_bound else None, "limiter": limiter,
                     "torch_ms": tm[0] if tm else None, "torch_name": tm[1] if tm else None,
                     "ratio": ms / tm[0] if tm else None})
    return rows


def model_rows(j, t):
    rows = []
    for c in MODELS:
        s, bt = j.get(f"stream:{c}"), j.get(f"batch:{c}")
        tm = (t or {}).get("models", {}).get(c)
        if not s and not bt and not tm and not j.get(f"ort-stream:{c}:spin1"):
            continue
        row = {"config": c, "size": tm["size"] if tm else None,
               "flops_frame": tm["conv_flops_per_frame"] if tm else None,
               "java_stream_ms": 1e3 / s["score"] if s else None,
               "java_stream_fps": s["frames"] if s else None,
               "java_batch_fps": bt["frames"] if bt else None,
               "batch_frames": int(round(bt["frames"] / bt["score"])) if bt and bt["score"] else None,
               "torch_stream_ms": tm["stream"]["ms"] if tm else None,
               "torch_stream_fps": tm["stream_fps"] if tm else None,
               "torch_batch_fps": tm["batch_fps"] if tm else None,
               "torch_batch_frames": tm["batch_frames"] if tm else None}
        for spin in ("1", "0"):
            os_, ob = j.get(f"ort-stream:{c}:spin{spin}"), j.get(f"ort-batch:{c}:spin{spin}")
            row[f"ort{spin}_stream_ms"] = 1e3 / os_["frames"] if os_ and os_["frames"] else None
            row[f"ort{spin}_batch_fps"] = ob["frames"] if ob else None
        sm = [v for v in (row["ort1_stream_ms"], row["ort0_stream_ms"]) if v]
        bf = [v for v in (row["ort1_batch_fps"], row["ort0_batch_fps"]) if v]
        row["ort_stream_ms"], row["ort_batch_fps"] = (min(sm) if sm else None), (max(bf) if bf else None)
        row["ort_stream_ratio"] = (row["java_stream_ms"] / row["ort_stream_ms"]
                                   if row["java_stream_ms"] and row["ort_stream_ms"] else None)
        row["ort_batch_ratio"] = (row["ort_batch_fps"] / row["java_batch_fps"]
                                  if row["java_batch_fps"] and row["ort_batch_fps"] else None)
        row["stream_ratio"] = (row["java_stream_ms"] / row["torch_stream_ms"]
                               if row["java_stream_ms"] and row["torch_stream_ms"] else None)
        row["batch_ratio"] = (row["torch_batch_fps"] / row["java_batch_fps"]
                              if row["java_batch_fps"] and row["torch_batch_fps"] else None)
        if row["flops_frame"] and row["java_stream_ms"]:
            row["java_stream_gflops"] = row["flops_frame"] / row["java_stream_ms"] / 1e6
        if row["flops_frame"] and row["java_batch_fps"]:
            row["java_batch_gflops"] = row["flops_frame"] * row["java_batch_fps"] / 1e9
        rows.append(row)
    return rows


def markdown(j, t, machine, b, krows, mrows):
    L = []
    L.append("# Java CPU engine vs PyTorch CPU, same machine, same run\n")
    L.append("Generated by `bench/run-comparison.sh` (bench/report.py).\n")
    L.append("```\n" + machine.strip() + "\n```\n")
    if t:
        L.append(f"PyTorch {t['meta']['torch']}, {t['meta']['threads']} threads, "
                 f"frames folded into the batch for 2-D ops: {t['meta'].get('frames_as_batch')}"
                 + (" — QUICK MODE, numbers meaningless" if t["meta"].get("quick") else "") + ".\n")
    if all(v is None for v in b.values()) and not krows:
        # a whole-model run (CONFIGS=...): no bounds or kernels were measured, so no empty tables
        L.append("Whole model only (`CONFIGS` run): BoundsBench and KernelBench were not run.\n")
    else:
        kernel_tables(L, b, krows)
    whole_model(L, mrows)
    return "\n".join(L)


def kernel_tables(L, b, krows):
    L.append("## Machine bounds (BoundsBench, same JMH run, all cores)\n")
    L.append("| bound | measured |")
    L.append("|---|---|")
    for lvl in ("L2", "L3", "DRAM"):
        L.append(f"| copy bandwidth, {lvl}-resident working set | {fmt((b[lvl] or 0) / 1e9)} GB/s |")
    L.append(f"| FMA peak, SIMD (Vector API) | {fmt((b['simd'] or 0) / 1e9)} GFLOP/s |")
    L.append(f"| FMA peak, scalar Java | {fmt((b['scalar'] or 0) / 1e9)} GFLOP/s |")
    L.append(f"| Math.exp (double) throughput | {fmt((b['exp'] or 0) / 1e6)} M exp/s |")
    L.append("")
    L.append("## Kernels (one frame, D = 1)\n")
    L.append("Java/PyTorch > 1: Java is slower. Fraction of bound = roofline time / measured time "
             "(bandwidth of the cache level the working set fits in, the SIMD FMA peak, or Math.exp throughput).\n")
    L.append("| kernel | Java ms | GB/s | GFLOP/s | FLOP/byte | fraction of bound (limiter) | PyTorch ms | Java/PyTorch |")
    L.append("|---|---:|---:|---:|---:|---|---:|---:|")
    for r in krows:
        tn = f" ({r['torch_name']})" if r["torch_name"] and r["torch_name"] != r["key"] else ""
        frac = f"{100 * r['fraction']:.1f}% ({r['limiter']})" if r["fraction"] is not None else "n/a"
        L.append(f"| {r['key']} | {fmt(r['ms'])} | {fmt(r['gbs'])} | {fmt(r['gflops'])} | {fmt(r['intensity'])} | "
                 f"{frac} | {fmt(r['torch_ms'])}{tn} | {fmt(r['ratio'])} |")
    measured = [r for r in krows if r["fraction"] is not None]
    if measured:
        worst = min(measured, key=lambda r: r["fraction"])
        L.append(f"\nSlowest relative to its bound: **{worst['key']}** at {100 * worst['fraction']:.1f}% of "
                 f"the {worst['limiter']} bound.\n")


def whole_model(L, mrows):
    L.append("## Whole model\n")
    L.append("Streaming: one driving frame per call against a prepared source. Batch: frames per call as given. "
             "GFLOP/s from the convolution FLOPs per frame counted in the PyTorch model (same architecture).\n")
    L.append("ORT: ONNX Runtime's Java API (OrtBench), spinning on / off; Java/ORT against the faster of the two. "
             "Ratios are time per frame, ours over the baseline's: below 1, ours is faster.\n")
    L.append("| config | size | conv GFLOP/frame | Java ms/frame (stream) | ORT ms/frame (stream, spin on / off) "
             "| PyTorch ms/frame (stream) | Java/ORT | Java/PyTorch "
             "| Java fps (batch) | ORT fps (batch, on / off) | PyTorch fps (batch) | Java/ORT | Java/PyTorch "
             "| batch frames | Java GFLOP/s (stream / batch) |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in mrows:
        size = f"{r['size']}x{r['size']}" if r["size"] else "?"
        L.append(f"| {r['config']} | {size} | {fmt((r['flops_frame'] or 0) / 1e9)} | {fmt(r['java_stream_ms'])} | "
                 f"{fmt(r['ort1_stream_ms'])} / {fmt(r['ort0_stream_ms'])} | "
                 f"{fmt(r['torch_stream_ms'])} | {fmt(r['ort_stream_ratio'])} | {fmt(r['stream_ratio'])} | "
                 f"{fmt(r['java_batch_fps'])} | {fmt(r['ort1_batch_fps'])} / {fmt(r['ort0_batch_fps'])} | "
                 f"{fmt(r['torch_batch_fps'])} | {fmt(r['ort_batch_ratio'])} | {fmt(r['batch_ratio'])} | "
                 f"{r['batch_frames']} / {r['torch_batch_frames']} | "
                 f"{fmt(r.get('java_stream_gflops'))} / {fmt(r.get('java_batch_gflops'))} |")
    L.append("")


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return None if n == 0 else xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])


def spread_rows(js, ts):
    """Per configuration and call size, over every round: ms per frame of ours, ORT (both spinning
    settings) and PyTorch; median over the rounds of each round's score, and the min-max over
    every measured iteration (JMH) or round (PyTorch, each a mean over its time budget); the
    ratios are those of the medians, with the range of the per-round ratios."""
    rows = []
    for c in MODELS:
        for mode in ("stream", "batch"):
            def jmh(key):
                per_round = [1e3 / j[key]["frames"] for j in js if key in j and j[key]["frames"]]
                its = [1e3 / x for j in js if key in j for x in j[key]["frames_raw"] if x]
                return per_round, its
            ours, ours_it = jmh(f"{mode}:{c}")
            o1, o1_it = jmh(f"ort-{mode}:{c}:spin1")
            o0, o0_it = jmh(f"ort-{mode}:{c}:spin0")
            tm = [t["models"][c] for t in ts if c in t.get("models", {})]
            torch = [m["stream"]["ms"] if mode == "stream" else m["batch"]["ms"] / m["batch_frames"] for m in tm]
            if not ours and not o1 and not o0:
                continue
            frames = 1
            if mode == "batch":
                b = [j[f"batch:{c}"] for j in js if f"batch:{c}" in j and j[f"batch:{c}"]["score"]]
                frames = int(round(b[0]["frames"] / b[0]["score"])) if b else None
            best = "1" if o1 and (not o0 or median(o1) <= median(o0)) else "0"
            ort = o1 if best == "1" else o0

            def ratio(a, b):
                if not a or not b:
                    return None, None, None
                per = [x / y for x, y in zip(a, b)]
                return median(a) / median(b), min(per), max(per)
            rows.append({"config": c, "mode": mode, "frames": frames, "rounds": len(ours),
                         "ours": (median(ours), min(ours_it or [0]), max(ours_it or [0])) if ours else None,
                         "ort1": (median(o1), min(o1_it), max(o1_it)) if o1 else None,
                         "ort0": (median(o0), min(o0_it), max(o0_it)) if o0 else None,
                         "ort_best": "n/a" if not ort else "on" if best == "1" else "off",
                         "torch": (median(torch), min(torch), max(torch)) if torch else None,
                         "vs_ort": ratio(ours, ort), "vs_torch": ratio(ours, torch)})
    return rows


def spread_markdown(rows):
    def ms(v):
        return "n/a" if not v else f"{fmt(v[0])} ({fmt(v[1])}–{fmt(v[2])})"

    def rt(v):
        if not v or v[0] is None:
            return "n/a"
        return f"**{v[0]:.2f}**" + (f" ({v[1]:.2f}–{v[2]:.2f})" if v[1] != v[2] else "")
    L = ["## Against both baselines: ms per frame, median (min–max)\n",
         "Ours: ModelBench; ORT: OrtBench with `session.intra_op.allow_spinning` 1 / 0 (the faster setting's "
         "median quoted in the ratio); PyTorch: bench_torch.py. Medians over the rounds, spreads over every "
         "measured iteration (JMH) or round (PyTorch). Ratio = our time per frame over the baseline's "
         "(below 1: ours is faster), with the range of the per-round ratios.\n",
         "| config | frames per call | rounds | ours | ORT spinning | ORT not spinning | ORT quoted | PyTorch "
         "| ours/ORT | ours/PyTorch |",
         "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    for r in rows:
        L.append(f"| {r['config']} | {r['frames']} | {r['rounds']} | {ms(r['ours'])} | {ms(r['ort1'])} | "
                 f"{ms(r['ort0'])} | {r['ort_best']} | {ms(r['torch'])} | {rt(r['vs_ort'])} | {rt(r['vs_torch'])} |")
    L.append("")
    return "\n".join(L)


def plot(mrows, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    series = [("java_stream_fps", "Java, streaming", "o-", "C0"), ("java_batch_fps", "Java, batch", "s--", "C0"),
              ("torch_stream_fps", "PyTorch, streaming", "o-", "C1"), ("torch_batch_fps", "PyTorch, batch", "s--", "C1")]
    for field, label, style, color in series:
        pts = [(r["size"], r[field], r["config"]) for r in mrows if r.get(field) and r["size"]]
        if not pts:
            continue
        line = [p for p in pts if p[2] != "shapes"]  # nemo, moving-gif, vox: one architecture family
        ax.plot([p[0] for p in line], [p[1] for p in line], style, color=color, label=label)
        for p in pts:
            if p[2] == "shapes":
                ax.plot(p[0], p[1], "^" if "stream" in field else "v", color=color, markerfacecolor="none")
    ax.plot([], [], "^", color="gray", markerfacecolor="none", label="shapes (smaller model), streaming")
    ax.plot([], [], "v", color="gray", markerfacecolor="none", label="shapes, batch")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks([64, 128, 256])
    ax.set_xticklabels(["64\nnemo", "128\nmoving-gif", "256\nvox"])
    ax.set_xlabel("resolution (configuration)")
    ax.set_ylabel("frames per second")
    ax.set_title("Monkey-Net on 2 CPU cores: frames/s vs resolution")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jmh", required=True, nargs="+", help="JMH JSON files, one per round (the first has the kernels)")
    ap.add_argument("--torch", nargs="*", help="bench_torch.py JSON files, one per round")
    ap.add_argument("--machine")
    ap.add_argument("--md", required=True)
    ap.add_argument("--png")
    ap.add_argument("--summary", help="also write the joined rows as JSON")
    a = ap.parse_args()
    js = [jmh_results(p) for p in a.jmh]
    ts = [json.load(open(p)) for p in a.torch or []]
    j, t = js[0], (ts[0] if ts else None)
    machine = open(a.machine).read() if a.machine else ""
    b = bounds(j)
    krows, mrows = kernel_rows(j, t, b), model_rows(j, t)
    with open(a.md, "w") as f:
        srows = spread_rows(js, ts)
        f.write(markdown(j, t, machine, b, krows, mrows))
        if srows:
            f.write("\n" + spread_markdown(srows))
    if a.summary:
        json.dump({"bounds": b, "kernels": krows, "models": mrows, "baselines": srows}, open(a.summary, "w"), indent=1)
    if a.png:
        try:
            plot(mrows, a.png)
        except ImportError as e:
            print("no plot (matplotlib missing):", e)


if __name__ == "__main__":
    main()
