#!/usr/bin/python3
"""Exports Monkey-Net to ONNX for the ONNX Runtime baseline (OrtBench), in the 2-D formulation of
monkeynet2d.py, with the source encoder split off so that it runs once, as ours does:

    CONFIG.encode.onnx     source (N, C, H, W) -> kp_mean (N, K, 2), kp_var (N, K, 2, 2),
                           skip1..skipB (the appearance encoder's outputs; skip0 is the source)
    CONFIG.frame.onnx      driving (N, C, H, W), kp_offset (1, K, 2), kp_source_mean (1, K, 2),
                           kp_source_var (1, K, 2, 2), source (1, C, H, W), skip1..skipB
                           -> prediction (N, C, H, W), kp_mean, kp_var (the detected driving keypoints)
    CONFIG.generator.onnx  the generator alone (driving keypoints as inputs), for checking only

`frame` is what OrtBench times: the per-driving-frame work (keypoint detector on the driving frames,
then the generator on the precomputed source keypoints and features), the driving means moved by
kp_offset (relative motion: the source means minus the first driving frame's; zeros for absolute).

Weights are the project's prng weights (golden/FORMAT.md) with the seed of the configuration's
reference cases (shapes and nemo 7, as ModelBench's Weights.prng(7); moving-gif 204, vox 205):
the file OrtBench times is the file checked against those cases (speed does not depend on the
weights' values). Before exporting, the 2-D model is checked in PyTorch against every reference
case of the configuration (kp_detector, generator, transfer; relative L2 within 1e-4, else no
file); the ONNX files are checked again through ONNX Runtime in Java (OrtCheck, and OrtBench's
@Setup refuses to time a model that fails). The cases' paths go into each file's metadata.

    /usr/bin/python3 bench/onnx/export_monkeynet.py [--configs shapes,nemo,moving-gif,vox] [--out bench/results/onnx]

Needs Debian's python3-torch (1.13) and python3-onnx (for the checker and the metadata).
"""
import argparse
import glob
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import monkeynet2d as m2  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = os.path.join(ROOT, "src", "main", "resources", "io", "motionkernels", "configs")
# Reference cases, shared ones first (the shipped golden/ is a byte copy of ../shared/golden: deduplicated by content)
CASE_DIRS = ["../shared/golden", "src/test/resources/golden", "src/test/resources/cases/published"]
BOUND = 1e-4
OPSET = 17  # GridSample needs 16


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for k, v in header.items():
        assert v["dtype"] == "F32", path + ": " + k + " is not float32"
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").reshape(v["shape"]).copy())
    return out, meta


def cases_for(name, model_params):
    """Model cases (prng weights) of this configuration: (path relative to the root, seed)."""
    found, seen = [], set()
    for d in CASE_DIRS:
        for path in sorted(glob.glob(os.path.join(ROOT, d, "**", "*.safetensors"), recursive=True)):
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            if digest in seen:
                continue
            _, meta = read_safetensors(path)
            if meta.get("kind") not in ("kp_detector", "generator", "transfer") or meta.get("weights") != "prng":
                continue
            if yaml.safe_load(meta["config"])["model_params"] != model_params:
                continue
            seen.add(digest)
            found.append((os.path.relpath(path, ROOT), int(meta["seed"])))
    return found


def frames(video):
    """(1, C, T, H, W) -> (T, C, H, W)"""
    return video[0].transpose(0, 1).contiguous()


def rel_l2(actual, expected):
    assert torch.isfinite(actual).all(), "non-finite output"
    return float((actual - expected).norm() / expected.norm())


def normalization(meta):
    """kp_offset's rule for a transfer case: True for relative (move_location), False for absolute."""
    p = json.loads(meta.get("normalization_params", "{}"))
    if p.get("movement_mult") or p.get("adapt_variance") or p.get("clip_mean"):
        raise ValueError("only move_location (relative) and absolute transfers are exported: " + json.dumps(p))
    return bool(p.get("move_location", False))


def check(model, path):
    """{output: relative L2} of the 2-D PyTorch model against one case."""
    t, meta = read_safetensors(os.path.join(ROOT, path))
    kind = meta["kind"]
    if kind == "kp_detector":
        x = frames(t["image"] if "image" in t else t["video"])
        mean, var = model.detect(x)
        return {"mean": rel_l2(mean, t["mean"][0]), "var": rel_l2(var, t["var"][0])}
    src = frames(t["source"])
    skips = model.encode(src)
    if kind == "generator":
        kp_d = (t["kp_driving_mean"][0], t["kp_driving_var"][0])
        kp_s = (t["kp_source_mean"][0], t["kp_source_var"][0])
        return {"video_prediction": rel_l2(model.generate(skips, kp_d, kp_s), frames(t["video_prediction"]))}
    driving = frames(t["driving"])
    kp_s = model.detect(src)
    offset = kp_s[0] - model.detect(driving[:1])[0] if normalization(meta) else torch.zeros_like(kp_s[0])
    pred, _, _ = model.frame(driving, offset, kp_s[0], kp_s[1], skips)
    return {"video_prediction": rel_l2(pred, frames(t["video_prediction"]))}


class Graph(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def export(fn, args, in_names, out_names, batched, path, metadata):
    import onnx
    axes = {n: {0: "frames"} for n in batched}
    torch.onnx.export(Graph(fn), tuple(args), path, input_names=in_names, output_names=out_names,
                      dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    for k, v in metadata.items():
        model.metadata_props.add(key=k, value=v)
    onnx.save(model, path)


def export_config(name, out_dir, only_check, seed_override=None):
    with open(os.path.join(CONFIGS, name + ".yaml")) as f:
        text = f.read()
    params = yaml.safe_load(text)["model_params"]
    cases = cases_for(name, params)
    seeds = sorted({s for _, s in cases})
    if len(seeds) != 1:
        sys.exit(f"export_monkeynet.py: {name}: need reference cases with one prng seed, found {cases}")
    seed = seeds[0]
    if seed_override is not None:
        # a model that is not the cases' (to see the checks fail): no PyTorch check, the files must then fail OrtCheck
        seed, cases_ok = seed_override, False
    else:
        cases_ok = True
    model = m2.MonkeyNet2d(text, seed)
    errors = {}
    for path, _ in cases if cases_ok else []:
        e = check(model, path)
        errors[path] = e
        worst = max(e.values())
        print(f"  {name} {path}: relative L2 {worst:.2e} ({', '.join(f'{k} {v:.1e}' for k, v in e.items())})",
              file=sys.stderr)
        if not worst <= BOUND:
            sys.exit(f"export_monkeynet.py: {name}: the 2-D model misses {path} ({worst:.2e} > {BOUND}); no export")
    if only_check:
        return
    size = int(round(64 / params["kp_detector_params"].get("scale_factor", 1)))
    c, k = model.m.C, model.m.K
    blocks = len(model.m.appearance_encoder.blocks)
    torch.manual_seed(0)
    src = torch.rand(1, c, size, size)
    driving = torch.rand(2, c, size, size)
    skips = model.encode(src)
    kp_s = model.detect(src)
    kp_d = model.detect(driving)
    skip_names = [f"skip{i}" for i in range(1, blocks + 1)]
    meta = {"config": name, "seed": str(seed), "size": str(size), "num_kp": str(k), "channels": str(c),
            "skips": str(blocks), "cases": ";".join(p for p, _ in cases), "bound": str(BOUND),
            "torch_check": json.dumps(errors), "exporter": f"torch {torch.__version__}, opset {OPSET}"}
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, name)
    with torch.no_grad():
        export(lambda s: (*model.detect(s), *model.encode(s)[1:]), [src], ["source"],
               ["kp_mean", "kp_var"] + skip_names, ["source", "kp_mean", "kp_var"] + skip_names,
               base + ".encode.onnx", meta)
        export(lambda d, off, ms, vs, s, *sk: model.frame(d, off, ms, vs, [s, *sk]),
               [driving, torch.zeros(1, k, 2), kp_s[0], kp_s[1], src, *skips[1:]],
               ["driving", "kp_offset", "kp_source_mean", "kp_source_var", "source"] + skip_names,
               ["prediction", "kp_mean", "kp_var"], ["driving", "prediction", "kp_mean", "kp_var"],
               base + ".frame.onnx", meta)
        export(lambda md, vd, ms, vs, s, *sk: model.generate([s, *sk], (md, vd), (ms, vs)),
               [kp_d[0], kp_d[1], kp_s[0], kp_s[1], src, *skips[1:]],
               ["kp_driving_mean", "kp_driving_var", "kp_source_mean", "kp_source_var", "source"] + skip_names,
               ["prediction"], ["kp_driving_mean", "kp_driving_var", "prediction"],
               base + ".generator.onnx", meta)
    print(f"  {name}: wrote {base}.{{encode,frame,generator}}.onnx (seed {seed}, {size}x{size}, "
          f"{len(cases)} reference cases)", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--configs", default="shapes,nemo,moving-gif,vox")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "onnx"))
    ap.add_argument("--check-only", action="store_true", help="check the 2-D PyTorch model against the cases; no export")
    ap.add_argument("--wrong-seed", type=int, help="export with this prng seed instead of the cases' and skip the PyTorch"
                    " check: files that OrtCheck and OrtBench must refuse (a test of those checks)")
    args = ap.parse_args()
    torch.set_grad_enabled(False)
    for name in [c for c in args.configs.split(",") if c]:
        export_config(name, args.out, args.check_only, args.wrong_seed)


if __name__ == "__main__":
    main()
