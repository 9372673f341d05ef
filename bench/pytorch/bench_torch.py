#!/usr/bin/python3
"""Times PyTorch (CPU, or a CUDA GPU with --device cuda) on the shapes the Java JMH benchmarks use, and a PyTorch Monkey-Net forward
per frame, and writes one JSON file that bench/report.py joins with JMH's JSON.

Every number is the mean wall time of an operation over a fixed time budget after warm-up (the
same statistic as JMH's throughput mode inverted). Run with Debian's python3 (`/usr/bin/python3`),
which has python3-torch:

    /usr/bin/python3 bench/pytorch/bench_torch.py --threads 2 --out bench/results/torch.json [--quick]

On a GPU (bench/run-gpu.sh runs it so, with the device machine's python3):

    python3 bench/pytorch/bench_torch.py --device cuda --out OUT/torch-cuda.json [--tf32]

There every timed call is followed by torch.cuda.synchronize() inside the timed region, so a time is
launch + kernels + synchronisation, the statistic GpuKernelBench measures; inputs are already on the
GPU (no host-device copies) for the kernels, while the model's `stream`/`batch` times include
uploading the driving frames and downloading the prediction, like GpuModelBench. TF32 is off
(torch.backends.cudnn.allow_tf32 and cuda.matmul.allow_tf32 False: the strict comparison, the
Java backend's Precision.STRICT) unless --tf32 (compare with Precision.FAST). cudnn.benchmark is on
(PyTorch's strongest setting; the Java backend also chooses an algorithm per shape).
"""
import argparse
import json
import os
import platform
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import monkeynet as mn  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = os.path.join(ROOT, "src", "main", "resources", "io", "motionkernels", "configs")


# The device the tensors live on; set by --device before anything is built.
DEV = torch.device("cpu")


def sync():
    """Waits for the GPU's queued work (nothing to do on the CPU): a timed call ends when its results exist."""
    if DEV.type == "cuda":
        torch.cuda.synchronize(DEV)


def measure(fn, budget_s, warmup, min_runs=3):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    end = time.perf_counter() + budget_s
    while time.perf_counter() < end or len(times) < min_runs:
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"ms": 1e3 * sum(times) / len(times), "median_ms": 1e3 * times[len(times) // 2],
            "min_ms": 1e3 * times[0], "runs": len(times)}


def uniform(lo, hi, *shape, seed=0):
    # drawn on the CPU, so that every device gets the same values, then moved
    g = torch.Generator().manual_seed(seed)
    return (lo + (hi - lo) * torch.rand(*shape, generator=g)).to(DEV)


def grid(frames, h, w, coords, seed=2):
    g = mn.coordinate_grid(h, w).view(1, 1, h, w, 2).expand(1, frames, h, w, 2)
    g = g + uniform(-0.1, 0.1, 1, frames, h, w, 2, seed=seed)
    if coords == 3:
        g = torch.cat([g, g.new_zeros(1, frames, h, w, 1)], dim=-1)
    else:
        g = g.reshape(1, frames * h, w, 2)
    return g.contiguous()


def kernels(budget, warmup):
    """The kernel families of KernelBench, same names and shapes, one frame."""
    out = {}
    shapes = {"src3x64x64": (3, 64, 64), "skip64x32x32": (64, 32, 32), "skip512x4x4": (512, 4, 4),
              "vox3x256x256": (3, 256, 256), "bilinear2d3x64x64": (3, 64, 64)}
    for name, (c, h, w) in shapes.items():
        if name.startswith("bilinear2d"):
            x, g = uniform(0, 1, 1, c, h, w, seed=1), grid(1, h, w, 2)
        else:
            x, g = uniform(0, 1, 1, c, 1, h, w, seed=1), grid(1, h, w, 3)
        out["gridSample:" + name] = measure(lambda: F.grid_sample(x, g, align_corners=True), budget, warmup)

    k = 10
    mean = uniform(-0.8, 0.8, 1, 1, k, 2, seed=3)
    r = uniform(0, 1, 2 * k, seed=4)
    a, d = 0.005 + 0.02 * r[0::2], 0.005 + 0.02 * r[1::2]
    b = 0.3 * torch.sqrt(a * d)
    var = torch.stack([torch.stack([a, b], -1), torch.stack([b, d], -1)], -2).view(1, 1, k, 2, 2)
    out["kp2gaussian"] = measure(lambda: mn.kp2gaussian(mean, var, 64, 64), budget, warmup)
    out["kp2gaussian(matmul)"] = measure(lambda: mn.kp2gaussian_matmul(mean, var, 64, 64), budget, warmup)
    heat = mn.softmax_pixels(uniform(-1, 1, 1, k, 1, 64, 64, seed=5), 0.1)
    out["gaussian2kp"] = measure(lambda: mn.gaussian2kp(heat, 0.001), budget, warmup)
    out["gaussian2kp(matmul)"] = measure(lambda: mn.gaussian2kp_matmul(heat, 0.001), budget, warmup)

    logits = uniform(-3, 3, 1, 10, 1, 64, 64, seed=6)
    out["softmaxPixels"] = measure(lambda: mn.softmax_pixels(logits, 0.1), budget, warmup)

    for name, (cin, cout, hw) in {"c256to64at32": (256, 64, 32), "c45to45at64": (45, 45, 64),
                                  "c45to45at256": (45, 45, 256)}.items():
        bound = (6.0 / (cin * 9)) ** 0.5
        wgt, bias = uniform(-bound, bound, cout, cin, 3, 3, seed=7), uniform(-0.1, 0.1, cout, seed=8)
        bn = (uniform(-0.1, 0.1, cout, seed=11), uniform(0.75, 1.25, cout, seed=12),
              uniform(0.75, 1.25, cout, seed=9), uniform(-0.1, 0.1, cout, seed=10))
        x = uniform(0, 1, 1, cin, hw, hw, seed=13)

        def block(x=x, wgt=wgt, bias=bias, bn=bn):
            return F.relu(F.batch_norm(F.conv2d(x, wgt, bias, padding=1), *bn, training=False, eps=1e-5))

        out["convBlock:" + name] = measure(block, budget, warmup)
        # The same block as the original model runs it: Conv3d (1, 3, 3) on a depth-1 video.
        x5, w5 = x.unsqueeze(2), wgt.unsqueeze(2)
        out["convBlock(conv3d):" + name] = measure(
            lambda: F.relu(F.batch_norm(F.conv3d(x5, w5, bias, padding=(0, 1, 1)), *bn, training=False, eps=1e-5)),
            budget, warmup)

    pool_in = uniform(0, 1, 1, 64, 1, 64, 64, seed=14)
    out["avgPool2x2"] = measure(lambda: F.avg_pool2d(pool_in.squeeze(2), 2), budget, warmup)
    out["avgPool2x2(3d)"] = measure(lambda: F.avg_pool3d(pool_in, kernel_size=(1, 2, 2)), budget, warmup)
    up_in = uniform(0, 1, 1, 128, 1, 16, 16, seed=15)
    out["upsampleNearest2x"] = measure(lambda: F.interpolate(up_in.squeeze(2), scale_factor=2), budget, warmup)
    out["upsampleNearest2x(3d)"] = measure(lambda: F.interpolate(up_in, scale_factor=(1, 2, 2)), budget, warmup)
    return out


def read_safetensors(path):
    import struct
    import numpy as np
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for k, v in header.items():
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").reshape(v["shape"]).copy())
    return out, meta


def check_golden(golden_dir):
    """Relative L2 error of this PyTorch model against the original implementation's transfer cases
    (prng weights): evidence that the baseline computes Monkey-Net, not something cheaper."""
    out = {}
    for case in ("nemo", "shapes"):
        path = os.path.join(golden_dir, case, "transfer.safetensors")
        if not os.path.exists(path):
            continue
        t, meta = read_safetensors(path)
        if meta.get("weights") != "prng" or json.loads(meta.get("normalization_params", "{}")) != \
                {"movement_mult": False, "move_location": True, "adapt_variance": False}:
            continue
        model = mn.MonkeyNet(meta["config"], seed=int(meta["seed"]))
        pred = mn.PreparedSource(model, t["source"].to(DEV)).next(t["driving"].to(DEV))
        ref = t["video_prediction"].to(DEV)
        out[case] = float((pred - ref).norm() / ref.norm())
        print(f"  golden {case}/transfer: relative L2 error {out[case]:.2e}", file=sys.stderr)
    return out


def batch_frames(spec, config):
    last = 1
    for part in spec.split(","):
        kv = part.strip().split("=")
        if len(kv) == 1:
            last = int(kv[0])
        elif kv[0].strip() == config:
            return int(kv[1])
        else:
            last = int(kv[1])
    return last


def models(configs, batch_spec, budget, warmup):
    out = {}
    for name in configs:
        with open(os.path.join(CONFIGS, name + ".yaml")) as f:
            text = f.read()
        model = mn.MonkeyNet(text, seed=7)
        size = int(round(64 / mn.yaml.safe_load(text)["model_params"]["kp_detector_params"].get("scale_factor", 1)))
        source = uniform(0, 1, 1, 3, 1, size, size, seed=20)
        frame = uniform(0, 1, 1, 3, 1, size, size, seed=21)
        n = batch_frames(batch_spec, name)
        frames = uniform(0, 1, 1, 3, n, size, size, seed=22)
        prepared = mn.PreparedSource(model, source)
        first = prepared.next(frame)
        assert torch.isfinite(first).all(), "non-finite output: the benchmark inputs are broken"
        mn.FLOPS.update(on=True, n=0)
        prepared.next(frame)
        flops = mn.FLOPS["n"]
        mn.FLOPS["on"] = False
        # Host frames in, host prediction out, as the Java API's Animation.next takes and returns
        # them (both are no-ops on the CPU): on a GPU the copies are part of a frame's time.
        frame_h, frames_h = frame.cpu(), frames.cpu()
        stream = measure(lambda: prepared.next(frame_h.to(DEV)).cpu(), budget, warmup, min_runs=2)
        batch = measure(lambda: prepared.next(frames_h.to(DEV)).cpu(), budget, min(warmup, 1), min_runs=1)
        out[name] = {"size": size, "conv_flops_per_frame": flops, "stream": stream, "batch_frames": n,
                     "batch": batch, "stream_fps": 1e3 / stream["ms"], "batch_fps": 1e3 * n / batch["ms"]}
        print(f"  {name:10s} {size}x{size}: {stream['ms']:8.1f} ms/frame streaming, "
              f"{out[name]['batch_fps']:6.2f} frames/s in batches of {n}", file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true", help="one short measurement each: proves the script runs")
    ap.add_argument("--configs", default="shapes,nemo,moving-gif,vox")
    ap.add_argument("--golden", default=os.path.join(os.path.dirname(ROOT), "shared", "golden"),
                    help="reference cases to check the PyTorch model against (skipped when absent)")
    ap.add_argument("--conv3d", action="store_true",
                    help="run the model's convolutions as Conv3d like the original code (default: frames as batch, conv2d)")
    ap.add_argument("--aten-conv", action="store_true",
                    help="let F.conv2d choose its CPU algorithm (Debian's build: a slow im2col path for small batch-1"
                         " inputs); default: every conv calls oneDNN directly, the stronger baseline")
    ap.add_argument("--batch", default="shapes=32,nemo=32,moving-gif=8,vox=4",
                    help="frames per batch as config=frames pairs (same syntax as ModelBench's batch param)")
    ap.add_argument("--device", default="cpu",
                    help="cpu, or cuda / cuda:N: time on that GPU (synchronised per call; see the module doc)")
    ap.add_argument("--tf32", action="store_true",
                    help="on a GPU, allow TF32 in cuDNN and matmul (compare with Precision.FAST); default off")
    args = ap.parse_args()
    global DEV
    DEV = torch.device(args.device)
    mn.DEVICE["d"] = DEV
    if DEV.type == "cuda":
        if not torch.cuda.is_available():
            sys.exit("bench_torch.py: --device cuda, but torch.cuda.is_available() is False on this machine")
        torch.cuda.set_device(DEV)
        torch.backends.cudnn.allow_tf32 = args.tf32
        torch.backends.cuda.matmul.allow_tf32 = args.tf32
        torch.backends.cudnn.benchmark = True
    torch.set_num_threads(args.threads)
    mn.FRAMES_AS_BATCH["on"] = not args.conv3d
    mn.MKLDNN_ALL["on"] = not args.aten_conv
    torch.set_grad_enabled(False)
    kb, kw, mb, mw = (0.05, 1, 0.0, 1) if args.quick else (1.0, 20, 4.0, 2)
    with torch.inference_mode():
        golden = check_golden(args.golden)
        print("PyTorch kernels ...", file=sys.stderr)
        k = kernels(kb, kw)
        print("PyTorch Monkey-Net ...", file=sys.stderr)
        m = models([c for c in args.configs.split(",") if c], args.batch, mb, mw)
    meta = {"torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
            "mkldnn": torch.backends.mkldnn.is_available(), "config": torch.__config__.show(),
            "golden_relative_l2": golden, "quick": args.quick, "frames_as_batch": not args.conv3d, "mkldnn_all": not args.aten_conv, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "device": str(DEV)}
    if DEV.type == "cuda":
        meta.update(gpu=torch.cuda.get_device_name(DEV), cuda=torch.version.cuda,
                    cudnn=torch.backends.cudnn.version(), tf32=args.tf32, cudnn_benchmark=True,
                    timing="wall time per call with torch.cuda.synchronize() inside the timed region")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"meta": meta, "kernels": k, "models": m}, f, indent=1)


if __name__ == "__main__":
    main()
