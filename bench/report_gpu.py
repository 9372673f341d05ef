#!/usr/bin/env python3
"""Joins the GPU runs of bench/run-gpu.sh into one Markdown report: GpuKernelBench and GpuModelBench
(JMH JSON, jmh-gpu.json) beside bench_torch.py --device cuda (torch-cuda.json: TF32 off, compared
with the Java backend's STRICT precision; torch-cuda-tf32.json: TF32 on, compared with FAST).

Kernel times are launch + kernel + stream synchronisation on device-resident data, on both sides;
whole-model times include uploading the driving frames and downloading the prediction, on both
sides. GB/s and GFLOP/s come from the benchmarks' declared Work (bench/src/.../Work.java).

    python3 bench/report_gpu.py --dir bench/results/gpu --md bench/results/gpu/gpu.md
"""
import argparse
import json
import os

from report import TORCH_ALTERNATIVES, fmt

FAMILY_ORDER = ["gridSample", "kp2gaussian", "gaussian2kp", "softmaxPixels", "convBlock", "avgPool2x2",
                "upsampleNearest2x"]
MODELS = ["shapes", "nemo", "moving-gif", "vox"]


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def torch_ms(t, key):
    if not t:
        return None
    best = None
    for n in TORCH_ALTERNATIVES.get(key, [key]):
        if n in t["kernels"]:
            ms = t["kernels"][n]["ms"]
            best = ms if best is None or ms < best else best
    return best


def kernel_rows(jmh, strict, tf32):
    rows = []
    for r in jmh:
        cls, method = r["benchmark"].rsplit(".", 2)[1:]
        if cls != "GpuKernelBench":
            continue
        p = r.get("params") or {}
        key = method + (":" + p["shape"] if "shape" in p else "")
        precision = p.get("precision", "STRICT")
        score = r["primaryMetric"]["score"]
        sec = r.get("secondaryMetrics", {})
        t = tf32 if precision == "FAST" else strict
        tm = torch_ms(t, key)
        ms = 1e3 / score
        rows.append({"key": key, "precision": precision, "ms": ms,
                     "gbs": sec.get("bytes", {}).get("score", 0) / 1e9,
                     "gflops": sec.get("flops", {}).get("score", 0) / 1e9,
                     "torch_ms": tm, "ratio": ms / tm if tm else None})
    rows.sort(key=lambda x: (FAMILY_ORDER.index(x["key"].split(":")[0]) if x["key"].split(":")[0] in FAMILY_ORDER
                             else 99, x["key"], x["precision"]))
    return rows


def model_rows(jmh, strict, tf32):
    java = {}
    for r in jmh:
        cls, method = r["benchmark"].rsplit(".", 2)[1:]
        if cls != "GpuModelBench":
            continue
        p = r["params"]
        sec = r.get("secondaryMetrics", {})
        java[(p["config"], p["precision"], method)] = (r["primaryMetric"]["score"],
                                                       sec.get("frames", {}).get("score", 0))
    rows = []
    for c in MODELS:
        for precision, t in (("STRICT", strict), ("FAST", tf32)):
            s, b = java.get((c, precision, "stream")), java.get((c, precision, "batch"))
            tm = (t or {}).get("models", {}).get(c)
            if not s and not b and not tm:
                continue
            row = {"config": c, "precision": precision,
                   "java_ms": 1e3 / s[0] if s else None, "torch_ms": tm["stream"]["ms"] if tm else None,
                   "java_fps": b[1] if b else None, "torch_fps": tm["batch_fps"] if tm else None,
                   "n": int(round(b[1] / b[0])) if b and b[0] else None,
                   "torch_n": tm["batch_frames"] if tm else None,
                   "flops": tm["conv_flops_per_frame"] if tm else None}
            row["ratio"] = row["java_ms"] / row["torch_ms"] if row["java_ms"] and row["torch_ms"] else None
            rows.append(row)
    return rows


def markdown(machine, krows, mrows, strict, tf32):
    out = ["# GPU benchmarks: the CUDA backend against PyTorch on the same GPU", ""]
    if machine:
        out += ["```", machine.strip(), "```", ""]
    for name, t in (("TF32 off", strict), ("TF32 on", tf32)):
        if t:
            m = t["meta"]
            out.append(f"- PyTorch ({name}): {m.get('torch')} on {m.get('gpu')}, CUDA {m.get('cuda')}, "
                       f"cuDNN {m.get('cudnn')}, quick={m.get('quick')}")
    out += ["", "## Kernels (one frame; launch + kernel + synchronisation, data on the device)", "",
            "| kernel | precision | Java ms | GB/s | GFLOP/s | PyTorch ms | Java/PyTorch |",
            "|---|---|---:|---:|---:|---:|---:|"]
    for r in krows:
        out.append(f"| {r['key']} | {r['precision']} | {fmt(r['ms'])} | {fmt(r['gbs'])} | {fmt(r['gflops'])} | "
                   f"{fmt(r['torch_ms'])} | {fmt(r['ratio'])} |")
    out += ["", "## Whole model (host frames in, host prediction out)", "",
            "| config | precision | Java ms/frame (stream) | PyTorch ms/frame (stream) | Java/PyTorch | "
            "Java fps (batch) | PyTorch fps (batch) | N (Java/PyTorch) | Java conv GFLOP/s (stream) |",
            "|---|---|---:|---:|---:|---:|---:|---|---:|"]
    for r in mrows:
        gf = r["flops"] / r["java_ms"] / 1e6 if r["flops"] and r["java_ms"] else None
        out.append(f"| {r['config']} | {r['precision']} | {fmt(r['java_ms'])} | {fmt(r['torch_ms'])} | "
                   f"{fmt(r['ratio'])} | {fmt(r['java_fps'])} | {fmt(r['torch_fps'])} | "
                   f"{r['n'] or 'n/a'}/{r['torch_n'] or 'n/a'} | {fmt(gf)} |")
    out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="the folder run-gpu.sh wrote")
    ap.add_argument("--md", required=True)
    a = ap.parse_args()
    jmh = load(os.path.join(a.dir, "jmh-gpu.json")) or []
    strict = load(os.path.join(a.dir, "torch-cuda.json"))
    tf32 = load(os.path.join(a.dir, "torch-cuda-tf32.json"))
    mpath = os.path.join(a.dir, "machine.txt")
    machine = open(mpath).read() if os.path.exists(mpath) else ""
    md = markdown(machine, kernel_rows(jmh, strict, tf32), model_rows(jmh, strict, tf32), strict, tf32)
    with open(a.md, "w") as f:
        f.write(md)
    print(f"wrote {a.md}")


if __name__ == "__main__":
    main()
