#!/usr/bin/python3
"""Reference cases beyond the goldens, computed in float64 with PyTorch (stored float32).

  make_cases.py validate GOLDEN_DIR   regenerate every model case under GOLDEN_DIR from its
                                      metadata and inputs; print the relative L2 error per output
  make_cases.py generate OUT_DIR      write the extra cases (see cases.py) under OUT_DIR

The model is mn_model.py (written from SPEC.md); the format is golden/FORMAT.md.
"""
import glob
import json
import os
import sys
import time

import numpy as np
import torch
import yaml

import mn_model as mn
import st_io

torch.set_default_dtype(torch.float64)
torch.set_grad_enabled(False)


def build(config_text, seed):
    """-> (kp_detector, generator, model_params, transfer_params) with prng weights for seed."""
    cfg = yaml.safe_load(config_text)
    mp = cfg['model_params']
    common = mp['common_params']
    kp = mn.KPDetector(**mp['kp_detector_params'], **common).double().eval()
    gen = mn.Generator(**mp['generator_params'], **common).double().eval()
    mn.load_prng(kp, 'kp_detector.', seed)
    mn.load_prng(gen, 'generator.', seed)
    return kp, gen, cfg.get('transfer_params') or {}


def t64(a):
    """Inputs are what the engine reads: the float32 values, computed on in float64."""
    return torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))


def kp_tuple(tensors, prefix):
    var = tensors.get(prefix + '_var')
    return t64(tensors[prefix + '_mean']), (t64(var) if var is not None else None)


def run_case(meta, tensors):
    """Recompute a case's outputs from its metadata and inputs. -> dict name -> float64 array."""
    kind = meta['kind']
    kp, gen, tp = build(meta['config'], int(meta['seed']))
    out = {}
    if kind == 'kp_detector':
        x = t64(tensors['image'] if 'image' in tensors else tensors['video'])
        mean, var, logits = kp(x)
        out['mean'] = mean
        if var is not None:
            out['var'] = var
        out['heatmap_logits'] = logits
    elif kind == 'generator':
        r = gen(t64(tensors['source']), kp_tuple(tensors, 'kp_driving'), kp_tuple(tensors, 'kp_source'))
        for k in ('video_prediction', 'video_deformed', 'deformation', 'mask_embedding'):
            if r[k] is not None:
                out[k] = r[k]
    elif kind == 'transfer':
        norm = json.loads(meta['normalization_params']) if 'normalization_params' in meta \
            else tp.get('normalization_params', {})
        source = t64(tensors['source'])
        ms, vs, _ = kp(source)
        md, vd, _ = kp(t64(tensors['driving']))
        mean, var = mn.normalize_kp((md, vd), (ms, vs), **norm)
        r = gen(source, (mean, var), (ms, vs))
        out['kp_source_mean'] = ms
        out['kp_norm_mean'] = mean
        out['video_prediction'] = r['video_prediction']
    else:
        raise ValueError('unsupported kind ' + kind)
    return {k: v.numpy() for k, v in out.items()}


def rel_l2(a, ref):
    a = np.asarray(a, np.float64)
    ref = np.asarray(ref, np.float64)
    return float(np.linalg.norm(a - ref) / max(np.linalg.norm(ref), 1e-300))


def validate(golden_dir):
    worst = 0.0
    for f in sorted(glob.glob(os.path.join(golden_dir, '**', '*.safetensors'), recursive=True)):
        tensors, meta = st_io.read(f)
        if meta.get('kind') not in ('kp_detector', 'generator', 'transfer') or meta.get('weights') != 'prng':
            continue
        t0 = time.time()
        out = run_case(meta, tensors)
        errs = {k: rel_l2(v, tensors[k]) for k, v in out.items() if k in tensors}
        worst = max([worst] + list(errs.values()))
        print('%-50s %5.1fs %s' % (os.path.relpath(f, golden_dir), time.time() - t0,
                                   ' '.join('%s=%.2e' % kv for kv in errs.items())), flush=True)
    print('worst relative L2: %.3e' % worst)
    return worst


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] not in ('validate', 'generate'):
        sys.exit(__doc__)
    if sys.argv[1] == 'validate':
        sys.exit(0 if validate(sys.argv[2]) <= 1e-6 else 1)
    import cases
    cases.generate(sys.argv[2])
