"""Float64 PyTorch model of Monkey-Net's inference modules, written from /work/shared/SPEC.md.

Used by make_cases.py to compute reference cases in the golden format (golden/FORMAT.md).
Module and parameter names follow the checkpoint's state-dict tree, so the prng weights of
FORMAT.md can be loaded by name. Semantics follow the published research code (PyTorch 0.4.1
era): grid_sample with align_corners=True, nearest interpolate by scale factor and by size,
trilinear interpolate with align_corners=False, inference batch norm with eps 1e-5.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ---------------------------------------------------------------- prng weights (FORMAT.md)

_M64 = (1 << 64) - 1


def _splitmix64_np(x):
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _splitmix64_int(x):
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode('utf-8'):
        h = ((h ^ b) * 0x100000001b3) & _M64
    return h


def prng_uniform(name, seed, n):
    base = _fnv1a64(name) ^ _splitmix64_int(seed & _M64)
    with np.errstate(over='ignore'):
        x = np.uint64(base) + np.arange(n, dtype=np.uint64)
        r = _splitmix64_np(x)
    return (r >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)


def prng_parameter(name, shape, seed):
    n = int(np.prod(shape)) if len(shape) else 1
    if name.endswith('num_batches_tracked'):
        return np.zeros(shape)
    u = prng_uniform(name, seed, n)
    if name.endswith('running_mean') or name.endswith('.bias'):
        v = 0.1 * (2 * u - 1)
    elif name.endswith('running_var'):
        v = 0.75 + 0.5 * u
    elif name.endswith('.weight') and len(shape) == 1:
        v = 0.75 + 0.5 * u
    elif name.endswith('.weight'):
        fan_in = int(np.prod(shape[1:]))
        v = (2 * u - 1) * math.sqrt(6.0 / fan_in)
    else:
        raise ValueError('no prng rule for ' + name)
    return v.reshape(shape)


def load_prng(module, prefix, seed):
    sd = module.state_dict()
    new = {}
    for k, v in sd.items():
        arr = prng_parameter(prefix + k, tuple(v.shape), seed)
        new[k] = torch.from_numpy(np.asarray(arr)).to(v.dtype)
    module.load_state_dict(new)


# ---------------------------------------------------------------- kernels

def coordinate_grid(h, w):
    """(h, w, 2) with (x, y) in [-1, 1]."""
    x = 2 * (torch.arange(w, dtype=torch.float64) / (w - 1)) - 1
    y = 2 * (torch.arange(h, dtype=torch.float64) / (h - 1)) - 1
    return torch.stack([x.view(1, w).expand(h, w), y.view(h, 1).expand(h, w)], dim=-1)


def kp2gaussian(mean, var, size, kp_variance):
    """mean (..., 2), var (..., 2, 2) or (..., 1, 1) -> (..., h, w)."""
    h, w = size
    lead = mean.shape[:-1]
    g = coordinate_grid(h, w).view((1,) * len(lead) + (h, w, 2))
    d = g - mean.view(lead + (1, 1, 2))
    if kp_variance == 'matrix':
        inv = torch.linalg.inv(var).view(lead + (1, 1, 2, 2))
        q = (d.unsqueeze(-2) @ inv @ d.unsqueeze(-1)).squeeze(-1).squeeze(-1)
        return torch.exp(-0.5 * q)
    if kp_variance == 'single':
        return torch.exp(-0.5 * (d ** 2).sum(-1) / var.view(lead + (1, 1)))
    return torch.exp(-0.5 * (d ** 2).sum(-1) / float(kp_variance))


def smallest_singular(v):
    a, b, c, d = v[..., 0, 0], v[..., 0, 1], v[..., 1, 0], v[..., 1, 1]
    s1 = a ** 2 + b ** 2 + c ** 2 + d ** 2
    s2 = torch.sqrt((a ** 2 + b ** 2 - c ** 2 - d ** 2) ** 2 + 4 * (a * c + b * d) ** 2)
    return torch.sqrt((s1 - s2) / 2)


def gaussian2kp(heat, kp_variance, clip_variance=None):
    """heat (B, K, D, h, w) of softmax maps -> mean (B, D, K, 2), var or None."""
    h, w = heat.shape[3:]
    p = heat.unsqueeze(-1) + 1e-7
    g = coordinate_grid(h, w).view(1, 1, 1, h, w, 2)
    mean = (p * g).sum(dim=(3, 4))  # B K D 2
    var = None
    if kp_variance == 'matrix':
        sub = g - mean.view(mean.shape[:3] + (1, 1, 2))
        outer = sub.unsqueeze(-1) * sub.unsqueeze(-2)
        var = (outer * p.unsqueeze(-1)).sum(dim=(3, 4)).permute(0, 2, 1, 3, 4)
        if clip_variance:
            sg = smallest_singular(var).unsqueeze(-1).unsqueeze(-1)
            var = torch.clamp(sg, min=float(clip_variance)) * var / sg
    elif kp_variance == 'single':
        sub = g - mean.view(mean.shape[:3] + (1, 1, 2))
        var = ((sub ** 2) * p).sum(dim=(3, 4)).mean(dim=-1, keepdim=True).unsqueeze(-1)
        var = var.permute(0, 2, 1, 3, 4)
    return mean.permute(0, 2, 1, 3), var


def nearest_scale(x, s):
    if s == 1:
        return x
    return F.interpolate(x, scale_factor=(1, s, s), mode='nearest')


def grid_sample(x, grid):
    return F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=True)


# ---------------------------------------------------------------- blocks

def conv133(i, o):
    return nn.Conv3d(i, o, kernel_size=(1, 3, 3), padding=(0, 1, 1))


class DownBlock(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv = conv133(i, o)
        self.norm = nn.BatchNorm3d(o, eps=1e-5)

    def forward(self, x):
        return F.avg_pool3d(F.relu(self.norm(self.conv(x))), kernel_size=(1, 2, 2))


class UpBlock(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv = conv133(i, o)
        self.norm = nn.BatchNorm3d(o, eps=1e-5)

    def forward(self, x):
        x = F.interpolate(x, scale_factor=(1, 2, 2), mode='nearest')
        return F.relu(self.norm(self.conv(x)))


class SameBlock(nn.Module):
    def __init__(self, i, o, groups):
        super().__init__()
        self.conv = nn.Conv3d(i, o, kernel_size=1, padding=0, groups=groups)
        self.norm = nn.BatchNorm3d(o, eps=1e-5)

    def forward(self, x):
        return F.relu(self.norm(self.conv(x)))


class ResBlock(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.conv1 = conv133(n, n)
        self.conv2 = conv133(n, n)
        self.norm1 = nn.BatchNorm3d(n, eps=1e-5)
        self.norm2 = nn.BatchNorm3d(n, eps=1e-5)

    def forward(self, x):
        out = self.conv1(F.relu(self.norm1(x)))
        out = self.conv2(F.relu(self.norm2(out)))
        return out + x


class Encoder(nn.Module):
    def __init__(self, e, cin, n, m):
        super().__init__()
        self.down_blocks = nn.ModuleList(
            [DownBlock(cin if i == 0 else min(m, e * 2 ** i), min(m, e * 2 ** (i + 1))) for i in range(n)])

    def forward(self, x):
        outs = [x]
        for b in self.down_blocks:
            outs.append(b(outs[-1]))
        return outs


class Decoder(nn.Module):
    def __init__(self, e, cin, cout, n, m, add=0, last_conv=True):
        super().__init__()
        self.up_blocks = nn.ModuleList(
            [UpBlock((1 if i == n - 1 else 2) * min(m, e * 2 ** (i + 1)) + add, min(m, e * 2 ** i))
             for i in range(n)[::-1]])
        self.conv = conv133(e + cin + add, cout) if last_conv else None

    def forward(self, skips):
        skips = list(skips)
        out = skips.pop()
        for b in self.up_blocks:
            out = torch.cat([b(out), skips.pop()], dim=1)
        return self.conv(out) if self.conv is not None else out


class Hourglass(nn.Module):
    def __init__(self, e, cin, cout, n, m):
        super().__init__()
        self.encoder = Encoder(e, cin, n, m)
        self.decoder = Decoder(e, cin, cout, n, m)

    def forward(self, x):
        return self.decoder(self.encoder(x))


# ---------------------------------------------------------------- modules

class KPDetector(nn.Module):
    def __init__(self, block_expansion, num_kp, num_channels, max_features, num_blocks, temperature,
                 kp_variance, scale_factor=1, clip_variance=None):
        super().__init__()
        self.predictor = Hourglass(block_expansion, num_channels, num_kp, num_blocks, max_features)
        self.temperature = temperature
        self.kp_variance = kp_variance
        self.scale_factor = scale_factor
        self.clip_variance = clip_variance

    def forward(self, x):
        """-> (mean, var or None, heatmap logits)."""
        x = nearest_scale(x, self.scale_factor)
        logits = self.predictor(x)
        s = logits.shape
        heat = F.softmax(logits.reshape(s[0], s[1], s[2], -1) / self.temperature, dim=3).view(s)
        mean, var = gaussian2kp(heat, self.kp_variance, self.clip_variance)
        return mean, var, logits


class MovementEmbedding(nn.Module):
    def __init__(self, num_kp, kp_variance, num_channels, use_deformed_source_image=False, use_difference=False,
                 use_heatmap=True, add_bg_feature_map=False, heatmap_type='gaussian', norm_const='sum',
                 scale_factor=1):
        super().__init__()
        assert heatmap_type in ('gaussian', 'difference')
        self.out_channels = (1 * use_heatmap + 2 * use_difference + num_channels * use_deformed_source_image) * (
            num_kp + add_bg_feature_map)
        self.kp_variance = kp_variance
        self.heatmap_type = heatmap_type
        self.use_difference = use_difference
        self.use_deformed = use_deformed_source_image
        self.use_heatmap = use_heatmap
        self.add_bg = add_bg_feature_map
        self.norm_const = norm_const
        self.scale_factor = scale_factor

    def normalize(self, hm):
        if self.norm_const == 'sum':
            return hm / hm.sum(dim=(-2, -1), keepdim=True)
        return hm / self.norm_const

    def forward(self, source, kp_driving, kp_source):
        source = nearest_scale(source, self.scale_factor)
        bs, _, _, h, w = source.shape
        md, vd = kp_driving
        ms, vs = kp_source
        d, k = md.shape[1], md.shape[2]
        parts = []
        if self.use_heatmap:
            hm = self.normalize(kp2gaussian(md, vd, (h, w), self.kp_variance))
            if self.heatmap_type == 'difference':
                hm = hm - self.normalize(kp2gaussian(ms, vs, (h, w), self.kp_variance))
            if self.add_bg:
                hm = torch.cat([torch.zeros(bs, d, 1, h, w, dtype=hm.dtype), hm], dim=2)
            parts.append(hm.unsqueeze(3))
        slots = k + int(self.add_bg)
        if self.use_difference or self.use_deformed:
            diff = (ms - md).expand(bs, d, k, 2)
            if self.add_bg:
                diff = torch.cat([torch.zeros(bs, d, 1, 2, dtype=diff.dtype), diff], dim=2)
            diff_map = diff.view(bs, d, slots, 2, 1, 1).expand(bs, d, slots, 2, h, w)
        if self.use_difference:
            parts.append(diff_map)
        if self.use_deformed:
            c = source.shape[1]
            src = source[:, :, 0].view(bs, 1, 1, c, h, w).expand(bs, d, slots, c, h, w).reshape(-1, c, h, w)
            grid = coordinate_grid(h, w).view(1, h, w, 2) + diff.reshape(-1, 1, 1, 2)
            parts.append(grid_sample(src, grid).view(bs, d, slots, c, h, w))
        enc = torch.cat(parts, dim=3).reshape(bs, d, -1, h, w)
        return enc.permute(0, 2, 1, 3, 4)


class DenseMotion(nn.Module):
    def __init__(self, block_expansion, num_blocks, max_features, mask_embedding_params, num_kp, num_channels,
                 kp_variance, use_correction, use_mask, bg_init=2, num_group_blocks=0, scale_factor=1):
        super().__init__()
        self.mask_embedding = MovementEmbedding(num_kp, kp_variance, num_channels, add_bg_feature_map=True,
                                                **mask_embedding_params)
        self.difference_embedding = MovementEmbedding(num_kp, kp_variance, num_channels, add_bg_feature_map=True,
                                                      use_difference=True, use_heatmap=False,
                                                      use_deformed_source_image=False)
        ch = self.mask_embedding.out_channels
        self.group_blocks = nn.ModuleList([SameBlock(ch, ch, num_kp + 1) for _ in range(num_group_blocks)])
        self.hourglass = Hourglass(block_expansion, ch, (num_kp + 1) * use_mask + 2 * use_correction,
                                   num_blocks, max_features)
        self.num_kp = num_kp
        self.use_mask = use_mask
        self.use_correction = use_correction
        self.scale_factor = scale_factor

    def forward(self, source, kp_driving, kp_source):
        """-> (deformation (B, D, h, w, 3), mask embedding)."""
        source = nearest_scale(source, self.scale_factor)
        emb = self.mask_embedding(source, kp_driving, kp_source)
        x = emb
        for b in self.group_blocks:
            x = F.leaky_relu(b(x), 0.2)
        p = self.hourglass(x)
        bs, _, d, h, w = p.shape
        flow = torch.zeros(bs, 2, d, h, w, dtype=p.dtype)
        if self.use_mask:
            mask = F.softmax(p[:, :self.num_kp + 1], dim=1).unsqueeze(2)
            diff = self.difference_embedding(source, kp_driving, kp_source).view(bs, self.num_kp + 1, 2, d, h, w)
            flow = flow + (diff * mask).sum(dim=1)
        if self.use_correction:
            flow = flow + p[:, -2:]
        deformation = flow.permute(0, 2, 3, 4, 1) + coordinate_grid(h, w).view(1, 1, h, w, 2)
        z = torch.zeros(deformation.shape[:-1] + (1,), dtype=deformation.dtype)
        return torch.cat([deformation, z], dim=-1), emb


def identity_deformation(source, d):
    bs, _, _, h, w = source.shape
    g = coordinate_grid(h, w).view(1, 1, h, w, 2).expand(bs, d, h, w, 2)
    return torch.cat([g, torch.zeros(bs, d, h, w, 1, dtype=g.dtype)], dim=-1)


class Generator(nn.Module):
    def __init__(self, num_channels, num_kp, kp_variance, block_expansion, max_features, num_blocks,
                 num_refinement_blocks, dense_motion_params=None, kp_embedding_params=None,
                 interpolation_mode='nearest'):
        super().__init__()
        self.appearance_encoder = Encoder(block_expansion, num_channels, num_blocks, max_features)
        if kp_embedding_params is not None:
            self.kp_embedding_module = MovementEmbedding(num_kp, kp_variance, num_channels, **kp_embedding_params)
            add = self.kp_embedding_module.out_channels
        else:
            self.kp_embedding_module = None
            add = 0
        if dense_motion_params is not None:
            self.dense_motion_module = DenseMotion(num_kp=num_kp, kp_variance=kp_variance, num_channels=num_channels,
                                                   **dense_motion_params)
        else:
            self.dense_motion_module = None
        self.video_decoder = Decoder(block_expansion, num_channels, num_channels, num_blocks, max_features, add,
                                     last_conv=False)
        n = block_expansion + num_channels + add
        self.refinement_module = nn.Sequential()
        for i in range(num_refinement_blocks):
            self.refinement_module.add_module('r' + str(i), ResBlock(n))
        self.refinement_module.add_module('conv-last', nn.Conv3d(n, num_channels, kernel_size=1, padding=0))
        assert interpolation_mode in ('nearest', 'trilinear')
        self.mode = interpolation_mode

    def resize(self, x, size):
        if self.mode == 'trilinear':
            return F.interpolate(x, size=size, mode='trilinear', align_corners=False)
        return F.interpolate(x, size=size, mode='nearest')

    def deform(self, inp, deformation):
        _, d, _, _, _ = deformation.shape
        h, w = inp.shape[3:]
        g = self.resize(deformation.permute(0, 4, 1, 2, 3), (d, h, w)).permute(0, 2, 3, 4, 1)
        return grid_sample(inp, g)

    def forward(self, source, kp_driving, kp_source):
        skips = self.appearance_encoder(source)
        d = kp_driving[0].shape[1]
        emb = None
        if self.dense_motion_module is not None:
            deformation, emb = self.dense_motion_module(source, kp_driving, kp_source)
        else:
            deformation = identity_deformation(source, d)
        deformed = [self.deform(s, deformation) for s in skips]
        if self.kp_embedding_module is not None:
            me = self.kp_embedding_module(source, kp_driving, kp_source)
            deformed = [torch.cat([a, self.resize(me, (d,) + s.shape[3:])], dim=1) for a, s in zip(deformed, skips)]
        video_deformed = self.deform(source, deformation)
        out = torch.sigmoid(self.refinement_module(self.video_decoder(deformed)))
        return {'video_prediction': out, 'video_deformed': video_deformed, 'deformation': deformation,
                'mask_embedding': emb}


# ---------------------------------------------------------------- transfer

def hull_area(pts):
    """Convex-hull area of (n, 2) points (monotone chain), what scipy's ConvexHull(...).volume gives."""
    p = sorted(map(tuple, pts.tolist()))

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for q in p:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], q) <= 0:
            lower.pop()
        lower.append(q)
    for q in reversed(p):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], q) <= 0:
            upper.pop()
        upper.append(q)
    hull = lower[:-1] + upper[:-1]
    area = 0.0
    for i in range(len(hull)):
        (x0, y0), (x1, y1) = hull[i], hull[(i + 1) % len(hull)]
        area += x0 * y1 - x1 * y0
    return abs(area) / 2


def sym_positive(m):
    c = (m + m.transpose(-1, -2)) / 2
    d, u = torch.linalg.eigh(c)
    d = torch.where(d <= 0, torch.full_like(d, 1e-6), d)
    return u @ torch.diag_embed(d) @ u.transpose(-1, -2)


def normalize_kp(kp_driving, kp_source, movement_mult=False, move_location=False, adapt_variance=False,
                 clip_mean=False):
    """The published transfer.py normalisation; like it, the hull areas use batch item 0."""
    md, vd = kp_driving
    ms, vs = kp_source
    mult = 1.0
    if movement_mult:
        mult = math.sqrt(hull_area(ms[0, 0].numpy())) / math.sqrt(hull_area(md[0, 0].numpy()))
    mean = md
    if move_location:
        mean = (md - md[:, 0:1]) * mult + ms
    if clip_mean:
        mean = torch.clamp(mean, -1, 1)
    var = vd
    if vd is not None and adapt_variance:
        v = vd @ torch.linalg.inv(vd[:, 0:1]) @ vs
        var = sym_positive(v)
    return mean, var
