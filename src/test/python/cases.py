"""The extra reference cases: every published configuration and every option of SPEC.md.

Each case is (folder/name, config YAML text, config_name, seed, kind, inputs, extra metadata).
Inputs are smooth random images/videos in [0, 1] and random in-range keypoints.
"""
import copy
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
import yaml

import make_cases
import st_io

CONFIGS = os.environ.get('MK_CONFIGS', '/work/shared/configs')


def published(name):
    with open(os.path.join(CONFIGS, name + '.yaml')) as f:
        return f.read()


# ---------------------------------------------------------------- inputs

def smooth_image(rng, b, c, h, w):
    low = torch.from_numpy(rng.uniform(-0.2, 1.2, size=(b, c, 7, 7)))
    img = F.interpolate(low, size=(h, w), mode='bicubic', align_corners=True).clamp(0, 1)
    return img.unsqueeze(2)  # (b, c, 1, h, w)


def smooth_video(rng, b, c, d, h, w):
    """A smooth image translated and slightly zoomed over d frames: (b, c, d, h, w)."""
    base = smooth_image(rng, b, c, h, w)[:, :, 0]
    ys = torch.linspace(-1, 1, h).view(h, 1).expand(h, w)
    xs = torch.linspace(-1, 1, w).view(1, w).expand(h, w)
    frames = []
    for i in range(d):
        shift = torch.from_numpy(rng.uniform(-0.15, 0.15, size=2))
        zoom = 1 + rng.uniform(-0.1, 0.1)
        grid = torch.stack([xs * zoom + shift[0], ys * zoom + shift[1]], dim=-1).unsqueeze(0).expand(b, h, w, 2)
        frames.append(F.grid_sample(base, grid, mode='bilinear', padding_mode='border', align_corners=True))
    return torch.stack(frames, dim=2)


def random_kp(rng, b, d, k, variance, base=None):
    """means in [-0.8, 0.8] (or base + a small move); variances SPD / positive / none."""
    if base is None:
        mean = rng.uniform(-0.8, 0.8, size=(b, d, k, 2))
    else:
        mean = np.clip(base + rng.uniform(-0.2, 0.2, size=(b, d, k, 2)), -0.95, 0.95)
    out = {'mean': mean}
    if variance == 'matrix':
        ang = rng.uniform(0, np.pi, size=(b, d, k))
        s = rng.uniform(0.004, 0.05, size=(b, d, k, 2))
        r = np.stack([np.stack([np.cos(ang), -np.sin(ang)], -1), np.stack([np.sin(ang), np.cos(ang)], -1)], -2)
        out['var'] = r @ (s[..., :, None] * np.eye(2)) @ np.swapaxes(r, -1, -2)
    elif variance == 'single':
        out['var'] = rng.uniform(0.004, 0.05, size=(b, d, k, 1, 1))
    return out


def f32(x):
    return np.asarray(x.numpy() if torch.is_tensor(x) else x, dtype=np.float32)


def kp_inputs(rng, b, d, k, variance):
    src = random_kp(rng, b, 1, k, variance)
    drv = random_kp(rng, b, d, k, variance, base=src['mean'])
    t = {}
    for prefix, kp in (('kp_source', src), ('kp_driving', drv)):
        for key, v in kp.items():
            t[prefix + '_' + key] = f32(v)
    return t


# ---------------------------------------------------------------- configurations

def cfg(common, kp, gen, norm=None):
    doc = {'model_params': {'common_params': common, 'kp_detector_params': kp, 'generator_params': gen},
           'transfer_params': {'normalization_params': norm or {'move_location': True}}}
    return yaml.safe_dump(doc, sort_keys=False)


def custom_configs():
    c = {}
    # gaussian heatmaps normalised by their sum, differences and deformed source in both embeddings,
    # one group block, a non-square frame (used at 32x48).
    c['gaussian_sum_difference'] = cfg(
        {'num_kp': 5, 'num_channels': 3, 'kp_variance': 'matrix'},
        {'block_expansion': 8, 'max_features': 64, 'num_blocks': 4, 'temperature': 0.1, 'clip_variance': 0.001},
        {'block_expansion': 8, 'max_features': 64, 'num_blocks': 4, 'num_refinement_blocks': 2,
         'dense_motion_params': {'block_expansion': 8, 'max_features': 64, 'num_blocks': 4, 'use_mask': True,
                                 'use_correction': True, 'num_group_blocks': 1,
                                 'mask_embedding_params': {'use_heatmap': True, 'use_difference': True,
                                                           'use_deformed_source_image': True,
                                                           'heatmap_type': 'gaussian', 'norm_const': 'sum'}},
         'kp_embedding_params': {'use_heatmap': True, 'use_difference': True, 'use_deformed_source_image': True,
                                 'heatmap_type': 'gaussian', 'norm_const': 'sum'}},
        {'move_location': True, 'movement_mult': True, 'adapt_variance': True, 'clip_mean': True})
    # kp_variance single; every scale_factor 0.5; trilinear; mask only (no correction); no group blocks.
    c['single_variance'] = cfg(
        {'num_kp': 4, 'num_channels': 3, 'kp_variance': 'single'},
        {'block_expansion': 8, 'max_features': 64, 'num_blocks': 4, 'temperature': 0.2, 'scale_factor': 0.5,
         'clip_variance': 0.001},
        {'block_expansion': 8, 'max_features': 64, 'num_blocks': 3, 'num_refinement_blocks': 2,
         'interpolation_mode': 'trilinear',
         'dense_motion_params': {'block_expansion': 8, 'max_features': 64, 'num_blocks': 3, 'use_mask': True,
                                 'use_correction': False, 'num_group_blocks': 0, 'scale_factor': 0.5,
                                 'mask_embedding_params': {'use_heatmap': True, 'use_deformed_source_image': True,
                                                           'heatmap_type': 'difference', 'norm_const': 10}},
         'kp_embedding_params': {'use_heatmap': True, 'norm_const': 'sum', 'scale_factor': 0.5}},
        {'move_location': True, 'movement_mult': True, 'clip_mean': True})
    # a constant kp_variance; correction only (no mask); two group blocks; no kp embedding.
    c['constant_variance'] = cfg(
        {'num_kp': 5, 'num_channels': 3, 'kp_variance': 0.01},
        {'block_expansion': 8, 'max_features': 32, 'num_blocks': 3, 'temperature': 0.1},
        {'block_expansion': 8, 'max_features': 32, 'num_blocks': 3, 'num_refinement_blocks': 1,
         'dense_motion_params': {'block_expansion': 8, 'max_features': 32, 'num_blocks': 3, 'use_mask': False,
                                 'use_correction': True, 'num_group_blocks': 2,
                                 'mask_embedding_params': {'use_heatmap': True, 'use_difference': True,
                                                           'heatmap_type': 'gaussian', 'norm_const': 100}}},
        {'move_location': True, 'movement_mult': True})
    # no dense motion (identity deformation); kp embedding with a background slot and differences.
    c['identity_deformation'] = cfg(
        {'num_kp': 4, 'num_channels': 3, 'kp_variance': 'matrix'},
        {'block_expansion': 8, 'max_features': 32, 'num_blocks': 3, 'temperature': 0.1, 'clip_variance': 0.001},
        {'block_expansion': 8, 'max_features': 32, 'num_blocks': 3, 'num_refinement_blocks': 2,
         'kp_embedding_params': {'use_heatmap': True, 'heatmap_type': 'difference', 'norm_const': 10,
                                 'add_bg_feature_map': True, 'use_difference': True}},
        {'move_location': True, 'adapt_variance': True})
    # neither dense motion nor kp embedding, no refinement blocks, one channel.
    c['bare_generator'] = cfg(
        {'num_kp': 3, 'num_channels': 1, 'kp_variance': 'matrix'},
        {'block_expansion': 8, 'max_features': 32, 'num_blocks': 2, 'temperature': 0.5},
        {'block_expansion': 8, 'max_features': 32, 'num_blocks': 2, 'num_refinement_blocks': 0},
        {'move_location': False})
    # 6 and 7 blocks down to 1x1 (128x128 input, 0.5 scale factors); deformed source only in the
    # mask embedding; three group blocks; trilinear.
    c['deep_blocks'] = cfg(
        {'num_kp': 3, 'num_channels': 3, 'kp_variance': 'matrix'},
        {'block_expansion': 4, 'max_features': 16, 'num_blocks': 6, 'temperature': 0.1, 'scale_factor': 0.5,
         'clip_variance': 0.001},
        {'block_expansion': 4, 'max_features': 16, 'num_blocks': 7, 'num_refinement_blocks': 1,
         'interpolation_mode': 'trilinear',
         'dense_motion_params': {'block_expansion': 4, 'max_features': 16, 'num_blocks': 6, 'use_mask': True,
                                 'use_correction': True, 'num_group_blocks': 3, 'scale_factor': 0.5,
                                 'mask_embedding_params': {'use_heatmap': False, 'use_deformed_source_image': True}},
         'kp_embedding_params': {'use_heatmap': True, 'heatmap_type': 'difference', 'norm_const': 100,
                                 'scale_factor': 0.5}},
        {'move_location': True, 'clip_mean': True})
    return c


def variance_of(config_text):
    return yaml.safe_load(config_text)['model_params']['common_params'].get('kp_variance', 'matrix')


def channels_of(config_text):
    return yaml.safe_load(config_text)['model_params']['common_params'].get('num_channels', 3)


def num_kp_of(config_text):
    return yaml.safe_load(config_text)['model_params']['common_params']['num_kp']


# (folder, name, config, config_name, seed, kind, dict(b, d, h, w), transfer normalisation or None)
def case_list():
    out = []
    for name, seed, size, gd, td in (('bair', 201, 64, 1, 3), ('taichi', 202, 64, 1, 2), ('actions', 203, 64, 0, 2),
                                     ('moving-gif', 204, 128, 1, 2), ('vox', 205, 256, 1, 0)):
        text = published(name)
        out.append(('published', name + '_kp_detector', text, name, seed, 'kp_detector',
                    dict(b=1, d=1, h=size, w=size), None))
        if gd:
            out.append(('published', name + '_generator', text, name, seed, 'generator',
                        dict(b=1, d=gd, h=size, w=size), None))
        if td:
            out.append(('published', name + '_transfer', text, name, seed, 'transfer',
                        dict(b=1, d=td, h=size, w=size), None))
    cc = custom_configs()
    spec = {
        'gaussian_sum_difference': (301, 32, 48, [('kp_detector', 1, 2), ('generator', 1, 2), ('transfer', 1, 3)]),
        'single_variance': (302, 64, 64, [('kp_detector', 1, 1), ('generator', 1, 2), ('transfer', 1, 3)]),
        'constant_variance': (303, 32, 32, [('kp_detector', 2, 2), ('generator', 2, 2), ('transfer', 1, 3)]),
        'identity_deformation': (304, 32, 32, [('kp_detector', 2, 1), ('generator', 2, 2), ('transfer', 2, 2)]),
        'bare_generator': (305, 16, 32, [('kp_detector', 1, 1), ('generator', 1, 2), ('transfer', 1, 2)]),
        'deep_blocks': (306, 128, 128, [('kp_detector', 1, 1), ('generator', 1, 1)]),
    }
    for name, (seed, h, w, kinds) in spec.items():
        for kind, b, d in kinds:
            out.append(('custom', name + '_' + kind + ('_b%d' % b if b > 1 else ''), cc[name], name, seed, kind,
                        dict(b=b, d=d, h=h, w=w), None))
    # The transfer options one at a time on one small configuration.
    base = cc['gaussian_sum_difference']
    for i, norm in enumerate(({'move_location': False},
                              {'move_location': True, 'movement_mult': True},
                              {'move_location': True, 'adapt_variance': True},
                              {'move_location': True, 'clip_mean': True})):
        tag = '_'.join(k for k, v in norm.items() if v and k != 'move_location') or (
            'relative' if norm['move_location'] else 'absolute')
        out.append(('transfer', 'norm_' + tag, base, 'gaussian_sum_difference', 301, 'transfer',
                    dict(b=1, d=3, h=32, w=48), norm))
    return out


def make_inputs(rng, kind, text, p):
    c = channels_of(text)
    if kind == 'kp_detector':
        if p['d'] == 1:
            return {'image': f32(smooth_image(rng, p['b'], c, p['h'], p['w']))}
        return {'video': f32(smooth_video(rng, p['b'], c, p['d'], p['h'], p['w']))}
    if kind == 'generator':
        t = {'source': f32(smooth_image(rng, p['b'], c, p['h'], p['w']))}
        t.update(kp_inputs(rng, p['b'], p['d'], num_kp_of(text), variance_of(text)))
        return t
    if p.get('independent'):
        # unrelated frames move the detected keypoints far, so that clip_mean has something to clip
        frames = [smooth_image(rng, p['b'], c, p['h'], p['w']) for _ in range(p['d'] + 1)]
        video = torch.cat(frames, dim=2)
    else:
        video = smooth_video(rng, p['b'], c, p['d'] + 1, p['h'], p['w'])
    return {'source': f32(video[:, :, :1]), 'driving': f32(video[:, :, 1:])}


def generate(out_dir):
    total = 0
    for folder, name, text, config_name, seed, kind, p, norm in case_list():
        meta = {'kind': kind, 'config': text, 'config_name': config_name, 'weights': 'prng', 'seed': str(seed)}
        if kind == 'transfer':
            if norm is None:
                norm = yaml.safe_load(text)['transfer_params']['normalization_params']
            meta['normalization_params'] = json.dumps(norm)
        clip = kind == 'transfer' and norm.get('clip_mean', False)
        t0 = time.time()
        for attempt in range(20):
            rng = np.random.RandomState(seed * 1000 + sum(map(ord, name)) + 7919 * attempt)
            inputs = make_inputs(rng, kind, text, dict(p, independent=clip))
            outputs = make_cases.run_case(meta, inputs)
            # a clip_mean case must clip: some normalised mean lands on the bound
            if not clip or np.any(np.abs(outputs['kp_norm_mean']) == 1.0):
                break
        else:
            raise RuntimeError(name + ': no input found whose keypoints clip_mean clips')
        if kind == 'kp_detector' and p['h'] > 64:
            outputs.pop('heatmap_logits')  # keeps the large-frame cases small; mean/var decide
        if kind == 'generator' and p['h'] > 128:
            outputs.pop('mask_embedding')  # likewise; deformation and the outputs decide
        tensors = dict(inputs)
        tensors.update({k: f32(v) for k, v in outputs.items()})
        for k, v in tensors.items():
            assert np.all(np.isfinite(v)), (name, k)
        os.makedirs(os.path.join(out_dir, folder), exist_ok=True)
        path = os.path.join(out_dir, folder, name + '.safetensors')
        st_io.write(path, tensors, meta)
        # the float32 file must round-trip to what was computed
        back, _ = st_io.read(path)
        for k, v in outputs.items():
            assert make_cases.rel_l2(back[k], v) < 1e-6
        size = os.path.getsize(path)
        total += size
        print('%-45s %-11s %6.1fs %8d B  %s' % (folder + '/' + name, kind, time.time() - t0, size,
                                               ' '.join('%s%s' % (k, list(v.shape)) for k, v in outputs.items())),
              flush=True)
    print('total %.2f MB' % (total / 1e6))
