#!/usr/bin/python3
"""Times First Order Motion Model's own code (PyTorch, CPU, float32) per driving frame, as FOMM's
demo runs it: detector on the frame, normalize_kp (relative movement and jacobians), generator;
one frame per call (stream) and batches. The counterpart of the Java FommBench (JMH).

    /usr/bin/python3 bench/pytorch/bench_fomm.py FOMM_DIR --threads 2 [--config vox-256] [--batch 4]
        [--budget 30] [--out bench/results/torch-fomm.json]

FOMM_DIR is a checkout of github.com/AliaksandrSiarohin/first-order-model. Weights are random
(speed does not depend on them); the synchronized batch norm is BatchNorm2d (evaluation mode).
"""
import argparse
import json
import os
import platform
import sys
import time
import types

import torch
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = os.path.join(ROOT, "src", "main", "resources", "io", "motionkernels", "configs", "fomm")


def measure(fn, budget_s, warmup=1, min_runs=3):
    for _ in range(warmup):
        fn()
    times = []
    end = time.perf_counter() + budget_s
    while time.perf_counter() < end or len(times) < min_runs:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"ms": 1e3 * sum(times) / len(times), "median_ms": 1e3 * times[len(times) // 2],
            "min_ms": 1e3 * times[0], "runs": len(times)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fomm_dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--config", default="vox-256")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--budget", type=float, default=30)
    ap.add_argument("--out")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_grad_enabled(False)
    sys.modules["sync_batchnorm"] = types.SimpleNamespace(SynchronizedBatchNorm2d=torch.nn.BatchNorm2d)
    sys.path.insert(0, a.fomm_dir)
    from modules.keypoint_detector import KPDetector
    from modules.generator import OcclusionAwareGenerator
    with open(os.path.join(CONFIGS, a.config + ".yaml")) as f:
        mp = yaml.safe_load(f)["model_params"]
    kp = KPDetector(**mp["kp_detector_params"], **mp["common_params"]).eval()
    gen = OcclusionAwareGenerator(**mp["generator_params"], **mp["common_params"]).eval()
    g = torch.Generator().manual_seed(0)
    size = 256
    source = torch.rand(1, 3, size, size, generator=g)
    kp_source = kp(source)
    kp_initial = kp(torch.rand(1, 3, size, size, generator=g))

    def normalize(kp_driving, n):
        value = kp_driving["value"] - kp_initial["value"] + kp_source["value"]
        jac = torch.matmul(torch.matmul(kp_driving["jacobian"], torch.inverse(kp_initial["jacobian"])),
                           kp_source["jacobian"])
        return {"value": value, "jacobian": jac}

    def step(n):
        frames = torch.rand(n, 3, size, size, generator=g)
        kd = kp(frames)
        src = source.expand(n, -1, -1, -1)
        ks = {k: v.expand(n, *v.shape[1:]) for k, v in kp_source.items()}
        return gen(src, kp_source=ks, kp_driving=normalize(kd, n))["prediction"]

    res = {"config": a.config, "threads": a.threads, "torch": torch.__version__, "python": platform.python_version(),
           "stream": measure(lambda: step(1), a.budget),
           "batch": dict(measure(lambda: step(a.batch), a.budget), frames=a.batch)}
    res["stream"]["frames_per_s"] = 1e3 / res["stream"]["ms"]
    res["batch"]["frames_per_s"] = 1e3 * a.batch / res["batch"]["ms"]
    print(json.dumps(res, indent=1))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
