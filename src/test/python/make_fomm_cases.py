#!/usr/bin/python3
"""First Order Motion Model reference cases, computed by FOMM's own modules in float64 (stored float32).

  make_fomm_cases.py FOMM_DIR validate GOLDEN_FOMM_DIR   recompute every case of GOLDEN_FOMM_DIR from its
                                                        metadata and inputs; print the relative L2 per output
  make_fomm_cases.py FOMM_DIR generate OUT_DIR          write the extra cases below under OUT_DIR
  make_fomm_cases.py FOMM_DIR checkpoint OUT_DIR [CONFIG]
                                                        write a small FOMM checkpoint with torch.save (legacy and
                                                        zip, laid out as the published ones) and cases that name it;
                                                        with a published CONFIG, the same at its full size

FOMM_DIR is a checkout of github.com/AliaksandrSiarohin/first-order-model (its modules/ are imported
unchanged). The semantics are PyTorch 1.0's, on which the checkpoints were trained: grid_sample with
align_corners=True, bilinear interpolate with align_corners=False (FOMM.md); the synchronized batch
norm is plain BatchNorm2d in evaluation mode. normalize_kp is animate.py's, with the convex hull
area computed here (scipy's ConvexHull(...).volume in 2-D). Weights: the prng rule of FORMAT.md.
"""
import json
import os
import sys
import time
import types

import numpy as np
import torch
import torch.nn.functional as F
import yaml

import mn_model as mn
import st_io

torch.set_default_dtype(torch.float64)
torch.set_grad_enabled(False)

_grid_sample = F.grid_sample
_interpolate = F.interpolate


def _grid_sample_10(inp, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    return _grid_sample(inp, grid, mode=mode, padding_mode=padding_mode, align_corners=True)


def _interpolate_10(inp, size=None, scale_factor=None, mode='nearest', align_corners=None, **kw):
    if mode == 'bilinear':
        align_corners = False
    return _interpolate(inp, size=size, scale_factor=scale_factor, mode=mode, align_corners=align_corners)


F.grid_sample = _grid_sample_10
F.interpolate = _interpolate_10
sys.modules['sync_batchnorm'] = types.SimpleNamespace(SynchronizedBatchNorm2d=torch.nn.BatchNorm2d)


def modules(fomm_dir):
    sys.path.insert(0, fomm_dir)
    from modules.keypoint_detector import KPDetector
    from modules.generator import OcclusionAwareGenerator
    return KPDetector, OcclusionAwareGenerator


def load_prng(module, prefix, seed):
    """The prng rule for every learned parameter; the antialias buffers keep FOMM's Gaussian."""
    sd = module.state_dict()
    new = {}
    for k, v in sd.items():
        if k.endswith('down.weight'):
            new[k] = v
        else:
            new[k] = torch.from_numpy(np.asarray(mn.prng_parameter(prefix + k, tuple(v.shape), seed))).to(v.dtype)
    module.load_state_dict(new)


def build(fomm_dir, config_text, seed):
    KPDetector, OcclusionAwareGenerator = modules(fomm_dir)
    mp = yaml.safe_load(config_text)['model_params']
    kp = KPDetector(**mp['kp_detector_params'], **mp['common_params']).double().eval()
    gen = OcclusionAwareGenerator(**mp['generator_params'], **mp['common_params']).double().eval()
    load_prng(kp, 'kp_detector.', seed)
    load_prng(gen, 'generator.', seed)
    return kp, gen


def t64(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))


def hull_area(pts):
    return mn.hull_area(pts)


def normalize_kp(kp_source, kp_driving, kp_driving_initial, adapt_movement_scale=False,
                 use_relative_movement=False, use_relative_jacobian=False):
    # animate.py's normalize_kp, with the hull area computed by hull_area
    if adapt_movement_scale:
        source_area = hull_area(kp_source['value'][0].numpy())
        driving_area = hull_area(kp_driving_initial['value'][0].numpy())
        adapt_movement_scale = np.sqrt(source_area) / np.sqrt(driving_area)
    else:
        adapt_movement_scale = 1
    kp_new = {k: v for k, v in kp_driving.items()}
    if use_relative_movement:
        kp_value_diff = (kp_driving['value'] - kp_driving_initial['value'])
        kp_value_diff *= adapt_movement_scale
        kp_new['value'] = kp_value_diff + kp_source['value']
        if use_relative_jacobian:
            jacobian_diff = torch.matmul(kp_driving['jacobian'], torch.inverse(kp_driving_initial['jacobian']))
            kp_new['jacobian'] = torch.matmul(jacobian_diff, kp_source['jacobian'])
    return kp_new, float(adapt_movement_scale)


def kp_in(tensors, prefix):
    kp = {'value': t64(tensors[prefix + '_value'])}
    if prefix + '_jacobian' in tensors:
        kp['jacobian'] = t64(tensors[prefix + '_jacobian'])
    return kp


def run_case(fomm_dir, meta, tensors, models=None):
    """models: (detector, generator) to use instead of the case's prng ones."""
    kind = meta['kind']
    kp, gen = models or build(fomm_dir, meta['config'], int(meta['seed']))
    out = {}
    if kind == 'fomm:kp_detector':
        x = t64(tensors['image'])
        # the logits, as KPDetector.forward computes them before the softmax
        feat = kp.predictor(kp.down(x) if kp.scale_factor != 1 else x)
        out['heatmap_logits'] = kp.kp(feat)
        r = kp(x)
        out['value'] = r['value']
        if 'jacobian' in r:
            out['jacobian'] = r['jacobian']
    elif kind == 'fomm:generator':
        src = t64(tensors['source'])
        r = gen(src, kp_driving=kp_in(tensors, 'kp_driving'), kp_source=kp_in(tensors, 'kp_source'))
        dm = gen.dense_motion_network
        if dm is not None:
            out['source_down'] = dm.down(src) if dm.scale_factor != 1 else src
            s = out['source_down']
            out['heatmap_representation'] = dm.create_heatmap_representations(
                s, kp_in(tensors, 'kp_driving'), kp_in(tensors, 'kp_source')).squeeze(2)
            out['sparse_motion'] = dm.create_sparse_motions(s, kp_in(tensors, 'kp_driving'), kp_in(tensors, 'kp_source'))
            out['sparse_deformed'] = r['sparse_deformed']
            out['mask'] = r['mask']
            out['deformation'] = dm(source_image=src, kp_driving=kp_in(tensors, 'kp_driving'),
                                    kp_source=kp_in(tensors, 'kp_source'))['deformation']
            if 'occlusion_map' in r:
                out['occlusion_map'] = r['occlusion_map']
            out['deformed'] = r['deformed']
        out['prediction'] = r['prediction']
    elif kind == 'fomm:transfer':
        norm = json.loads(meta['normalization_params'])
        src = t64(tensors['source'])
        drv = t64(tensors['driving'])
        kp_source = kp(src)
        kp_initial = kp(drv[:, :, 0])
        preds, dv, dj, nv, nj = [], [], [], [], []
        scale = 1.0
        for t in range(drv.shape[2]):
            kp_driving = kp(drv[:, :, t])
            kp_norm, scale = normalize_kp(kp_source, kp_driving, kp_initial, **norm)
            preds.append(gen(src, kp_source=kp_source, kp_driving=kp_norm)['prediction'])
            dv.append(kp_driving['value'])
            nv.append(kp_norm['value'])
            if 'jacobian' in kp_driving:
                dj.append(kp_driving['jacobian'])
                nj.append(kp_norm['jacobian'])
        out['prediction'] = torch.stack(preds, dim=2)
        out['kp_source_value'] = kp_source['value']
        out['kp_driving_value'] = torch.stack(dv, dim=1)
        out['kp_norm_value'] = torch.stack(nv, dim=1)
        if dj:
            out['kp_source_jacobian'] = kp_source['jacobian']
            out['kp_driving_jacobian'] = torch.stack(dj, dim=1)
            out['kp_norm_jacobian'] = torch.stack(nj, dim=1)
        out['_movement_scale'] = scale
    return out


def rel_l2(a, ref):
    a = np.asarray(a, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    return float(np.linalg.norm(a - ref) / max(np.linalg.norm(ref), 1e-300))


def validate(fomm_dir, golden_dir):
    worst = 0.0
    for f in sorted(os.listdir(golden_dir)):
        if not f.endswith('.safetensors'):
            continue
        tensors, meta = st_io.read(os.path.join(golden_dir, f))
        if not meta.get('kind', '').startswith('fomm:'):
            continue
        t0 = time.time()
        out = run_case(fomm_dir, meta, tensors)
        errs = {k: rel_l2(v.numpy(), tensors[k]) for k, v in out.items() if k in tensors}
        if 'movement_scale' in meta:
            errs['movement_scale'] = abs(out['_movement_scale'] - float(meta['movement_scale'])) / float(meta['movement_scale'])
        worst = max([worst] + list(errs.values()))
        print('%-28s %5.1fs %s' % (f, time.time() - t0, ' '.join('%s=%.2e' % kv for kv in errs.items())), flush=True)
    print('worst relative L2: %.3e' % worst)
    return worst


# ---- the extra cases: every published structure and every option of FOMM.md, small and fast ----

def small_config(common='', kp='', gen='', dense='      scale_factor: 0.5\n', size=32, norm=None):
    n = norm or {'adapt_movement_scale': False, 'use_relative_movement': True, 'use_relative_jacobian': True}
    return ('dataset_params:\n  frame_shape: [%d, %d, 3]\n' % (size, size)
            + 'model_params:\n  common_params:\n    num_kp: 5\n    num_channels: 3\n' + common
            + '  kp_detector_params:\n    temperature: 0.1\n    block_expansion: 8\n    max_features: 32\n'
            + '    num_blocks: 3\n' + kp
            + '  generator_params:\n    block_expansion: 8\n    max_features: 32\n    num_down_blocks: 2\n'
            + '    num_bottleneck_blocks: 2\n' + gen
            + ('' if dense is None else '    dense_motion_params:\n      block_expansion: 8\n      max_features: 32\n'
               + '      num_blocks: 3\n' + dense)
            + 'animate_params:\n  normalization_params:\n'
            + ''.join('    %s: %s\n' % (k, v) for k, v in n.items()))


JAC = '    estimate_jacobian: True\n'
OCC = '    estimate_occlusion_map: True\n'
VARIANTS = {
    # name: (config text, seed)
    'small': small_config(JAC, '    scale_factor: 0.5\n', OCC),
    'no_jacobian': small_config('', '    scale_factor: 0.5\n', OCC,
                                norm={'adapt_movement_scale': False, 'use_relative_movement': True,
                                      'use_relative_jacobian': False}),
    'single_jacobian_map': small_config(JAC, '    scale_factor: 0.5\n    single_jacobian_map: True\n', OCC),
    'pad_1': small_config(JAC, '    scale_factor: 0.5\n    pad: 1\n', OCC),
    'scale_1': small_config(JAC, '', OCC, dense=''),
    'scale_0.25_dense_0.125': small_config(JAC, '    scale_factor: 0.25\n', OCC, '      scale_factor: 0.125\n',
                                           size=64),
    'no_occlusion_kp_variance': small_config(JAC, '    scale_factor: 0.5\n', '',
                                             '      scale_factor: 0.5\n      kp_variance: 0.02\n'),
}


def rng_image(rs, *shape):
    # smooth images (like photos, unlike noise) so that keypoints do not all sit at the centre
    x = rs.rand(*shape)
    t = torch.from_numpy(x)
    t = torch.nn.functional.avg_pool2d(t.reshape(-1, 1, shape[-2], shape[-1]), 5, 1, 2).reshape(shape)
    return np.asarray(t.numpy(), dtype=np.float32)


def cond_ok(j):
    j = np.asarray(j, dtype=np.float64).reshape(-1, 2, 2)
    return all(np.linalg.cond(m) <= 20 for m in j)


def generate(fomm_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name, cfg in VARIANTS.items():
        size = yaml.safe_load(cfg)['dataset_params']['frame_shape'][0]
        mp = yaml.safe_load(cfg)['model_params']
        jac = mp['common_params'].get('estimate_jacobian', False)
        # the first seed whose jacobians (detected, and those the transfer inverts) are well conditioned
        for seed in range(100, 200):
            rs = np.random.RandomState(seed)
            image = rng_image(rs, 2, 3, size, size)
            source = image[:1]
            driving = rng_image(rs, 1, 3, 3, size, size)
            kp, gen = build(fomm_dir, cfg, seed)
            kpi = kp(t64(image))
            kpd = [kp(t64(driving[:, :, t])) for t in range(3)]
            if not jac or (cond_ok(kpi['jacobian']) and all(cond_ok(k['jacobian']) for k in kpd)):
                break
        base = {'config': cfg, 'config_name': 'fomm-' + name, 'weights': 'prng', 'seed': str(seed),
                'grid_sample_align_corners': 'true', 'interpolate_align_corners': 'false',
                'reference': 'first-order-model c0274845cb2d (make_fomm_cases.py)'}
        # detector, batch 2
        meta = dict(base, kind='fomm:kp_detector')
        t = {'image': image}
        write(out_dir, name + '_kp_detector', meta, t, run_case(fomm_dir, meta, t))
        # generator on the detected keypoints (image 0 as source, image 1's keypoints as driving)
        meta = dict(base, kind='fomm:generator')
        t = {'source': source, 'kp_source_value': kpi['value'][:1].numpy(), 'kp_driving_value': kpi['value'][1:].numpy()}
        if jac:
            t['kp_source_jacobian'] = kpi['jacobian'][:1].numpy()
            t['kp_driving_jacobian'] = kpi['jacobian'][1:].numpy()
        t = {k: np.asarray(v, dtype=np.float32) for k, v in t.items()}
        write(out_dir, name + '_generator', meta, t, run_case(fomm_dir, meta, t))
        # a transfer of 3 frames with the demo's --relative --adapt_scale (no jacobians: relative movement only)
        norm = {'adapt_movement_scale': True, 'use_relative_movement': True, 'use_relative_jacobian': bool(jac)}
        meta = dict(base, kind='fomm:transfer', normalization_params=json.dumps(norm))
        t = {'source': source, 'driving': driving}
        out = run_case(fomm_dir, meta, t)
        meta['movement_scale'] = repr(out.pop('_movement_scale'))
        write(out_dir, name + '_transfer', meta, t, out)


def write(out_dir, name, meta, inputs, outputs):
    tensors = dict(inputs)
    for k, v in outputs.items():
        tensors[k] = v.numpy() if torch.is_tensor(v) else v
    path = os.path.join(out_dir, name + '.safetensors')
    st_io.write(path, tensors, meta)
    print('wrote %s (%d KiB)' % (path, os.path.getsize(path) // 1024), flush=True)


# ---- checkpoints written by torch.save itself, laid out as FOMM's Logger.save_cpk writes them ----

def checkpoint(fomm_dir, out_dir, config_path=None):
    """A small vox-like FOMM trained one step, saved as the published checkpoints are.

    Everything save_cpk stores is there: generator, kp_detector, discriminator (spectral norm, as
    vox-256's: weight_orig/weight_u/weight_v), the three Adam states and the epoch; the file is the
    legacy torch.save pickle of PyTorch 1.0 (vox-cpk.pth.tar's format), and a zip-format copy
    of the generator and the keypoint detector.
    Weights are PyTorch's default initialisation plus one Adam step, batch-norm running statistics
    set away from 0/1 so that folding them matters. The cases name the files (weights: file:...) and
    were computed in float64 from the float32 weights the files hold."""
    sys.path.insert(0, fomm_dir)
    from modules.discriminator import MultiScaleDiscriminator
    KPDetector, OcclusionAwareGenerator = modules(fomm_dir)
    if config_path is None:
        # half the channels of the other small cases: the files are committed
        cfg = small_config(JAC, '    scale_factor: 0.5\n', OCC).replace('block_expansion: 8', 'block_expansion: 4') \
            .replace('max_features: 32', 'max_features: 16')
        disc_params = {'scales': [1], 'block_expansion': 4, 'max_features': 16, 'num_blocks': 2, 'sn': True}
        name = 'fomm-small'
    else:
        # a published configuration at full size (not committed: vox-256's file is about 700 MB)
        cfg = open(config_path).read()
        disc_params = yaml.safe_load(cfg)['model_params']['discriminator_params']
        name = os.path.basename(config_path).rsplit('.', 1)[0]
    mp = yaml.safe_load(cfg)['model_params']
    size = yaml.safe_load(cfg)['dataset_params']['frame_shape'][0]
    torch.manual_seed(2019)
    with torch.enable_grad():
        kp = KPDetector(**mp['kp_detector_params'], **mp['common_params']).float()
        gen = OcclusionAwareGenerator(**mp['generator_params'], **mp['common_params']).float()
        disc = MultiScaleDiscriminator(**disc_params, **mp['common_params']).float()
        opts = {'optimizer_generator': torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                'optimizer_discriminator': torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                'optimizer_kp_detector': torch.optim.Adam(kp.parameters(), lr=2e-4, betas=(0.5, 0.999))}
        x = torch.rand(2, 3, size, size, dtype=torch.float32)
        kps = kp(x[:1])
        kpd = kp(x[1:])
        out = gen(x[:1], kp_source=kps, kp_driving=kpd)
        # a step of every optimizer, so that each state holds step, exp_avg and exp_avg_sq
        loss = (out['prediction'] - x[1:]).abs().mean() + sum(v.abs().mean() for v in kpd.values())
        loss = loss + disc({'prediction_1': out['prediction']})['prediction_map_1'].mean()
        loss.backward()
        for o in opts.values():
            o.step()
            o.zero_grad()
    rs = np.random.RandomState(7)
    for m in list(kp.modules()) + list(gen.modules()):
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.from_numpy(rs.uniform(-0.2, 0.2, m.num_features).astype(np.float32)))
            m.running_var.copy_(torch.from_numpy(rs.uniform(0.5, 1.5, m.num_features).astype(np.float32)))
            m.num_batches_tracked.fill_(1000)
    models = {'generator': gen, 'kp_detector': kp, 'discriminator': disc}
    models.update(opts)
    cpk = {k: v.state_dict() for k, v in models.items()}
    cpk['epoch'] = 99
    os.makedirs(out_dir, exist_ok=True)
    legacy = name + '-cpk.pth.tar'
    zipped = name + '-cpk-zip.pth'
    torch.save(cpk, os.path.join(out_dir, legacy), _use_new_zipfile_serialization=False)
    # the zip format of torch >= 1.6, the two inference networks only, as users often re-save them
    torch.save({'generator': cpk['generator'], 'kp_detector': cpk['kp_detector'], 'epoch': 99},
               os.path.join(out_dir, zipped))
    for f in (legacy, zipped):
        print('wrote %s (%d KiB)' % (f, os.path.getsize(os.path.join(out_dir, f)) // 1024), flush=True)

    # the cases: FOMM's own forward in float64 on the float32 weights just saved
    kp64 = KPDetector(**mp['kp_detector_params'], **mp['common_params']).double().eval()
    gen64 = OcclusionAwareGenerator(**mp['generator_params'], **mp['common_params']).double().eval()
    kp64.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in cpk['kp_detector'].items()})
    gen64.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in cpk['generator'].items()})
    rs = np.random.RandomState(11)
    image = rng_image(rs, 2, 3, size, size)
    driving = rng_image(rs, 1, 3, 3, size, size)
    base = {'config': cfg, 'config_name': name + '-cpk', 'grid_sample_align_corners': 'true',
            'interpolate_align_corners': 'false',
            'reference': 'first-order-model c0274845cb2d (make_fomm_cases.py checkpoint), torch.save weights'}

    def run(meta, t):
        return run_case(fomm_dir, meta, t, models=(kp64, gen64))  # the saved weights, not prng

    meta = dict(base, kind='fomm:kp_detector', weights='file:' + zipped)
    t = {'image': image}
    write(out_dir, 'torch_save_zip_kp_detector' + ('' if config_path is None else '_' + name), meta, t, run(meta, t))
    norm = {'adapt_movement_scale': True, 'use_relative_movement': True, 'use_relative_jacobian': True}
    meta = dict(base, kind='fomm:transfer', weights='file:' + legacy, normalization_params=json.dumps(norm))
    t = {'source': image[:1], 'driving': driving}
    out = run(meta, t)
    meta['movement_scale'] = repr(out.pop('_movement_scale'))
    write(out_dir, 'torch_save_legacy_transfer' + ('' if config_path is None else '_' + name), meta, t, out)


if __name__ == '__main__':
    if len(sys.argv) not in (4, 5) or sys.argv[2] not in ('validate', 'generate', 'checkpoint') \
            or (len(sys.argv) == 5 and sys.argv[2] != 'checkpoint'):
        sys.exit(__doc__)
    if sys.argv[2] == 'validate':
        sys.exit(0 if validate(sys.argv[1], sys.argv[3]) <= 1e-6 else 1)
    if sys.argv[2] == 'checkpoint':
        checkpoint(sys.argv[1], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else None)
    else:
        generate(sys.argv[1], sys.argv[3])
