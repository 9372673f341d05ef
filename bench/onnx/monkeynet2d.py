"""Monkey-Net's inference in a 2-D formulation (frames as the batch), for export to ONNX.

The weights and the module structure are bench/pytorch/monkeynet.py's (`MonkeyNet`: the project's
prng weights, the original module names); only the forward is rewritten, because that model is
5-D (Conv3d-shaped weights, 5-D grid_sample with a zero z coordinate, 5-D interpolate) and ONNX's
GridSample before opset 20 is 2-D only. Every op here is the 2-D form of the same function:

- a (1, k, k) Conv3d, avg_pool3d (1, 2, 2) and nearest interpolate (1, s, s) over a depth-D video
  are conv2d / avg_pool2d / interpolate over its D frames as a batch;
- 5-D grid_sample of a depth-1 source with z = 0 and align_corners=True samples depth index
  ((0 + 1) / 2) * (1 - 1) = 0 exactly: it is 2-D grid_sample of the source on (x, y);
- trilinear interpolate to the same depth is bilinear interpolate (align_corners=False) per frame.

Layouts: images (N, C, H, W), keypoint means (N, K, 2), variances (N, K, 2, 2), with N the frames.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pytorch"))
import monkeynet as mn  # noqa: E402


def conv(c, x):
    """An mn.Conv (weights (cout, cin/groups, 1, k, k)) on (N, C, H, W)."""
    y = F.conv2d(x, c.weight.squeeze(2), c.bias, padding=c.k // 2, groups=c.groups)
    if c.bn is not None:
        y = F.batch_norm(y, *c.bn, training=False, eps=mn.BN_EPS)
    return F.relu(y) if c.relu else y


def encoder(enc, x):
    outs = [x]
    for blk in enc.blocks:
        outs.append(F.avg_pool2d(conv(blk, outs[-1]), 2))
    return outs


def decoder(dec, skips):
    skips = list(skips)
    out = skips.pop()
    for blk in dec.blocks:
        out = conv(blk, F.interpolate(out, scale_factor=2.0, mode="nearest"))
        out = torch.cat([out, skips.pop()], dim=1)
    return conv(dec.conv, out) if dec.conv is not None else out


def hourglass(hg, x):
    return decoder(hg.decoder, encoder(hg.encoder, x))


def scale(x, s):
    return x if s == 1 else F.interpolate(x, scale_factor=float(s), mode="nearest")


def kp2gaussian(mean, var, h, w):
    """exp(-1/2 (p - m)^T var^-1 (p - m)) on the coordinate grid: (N, K, 2), (N, K, 2, 2) -> (N, K, h, w)."""
    g = mn.coordinate_grid(h, w)
    dx = g[..., 0] - mean[..., 0, None, None]
    dy = g[..., 1] - mean[..., 1, None, None]
    a, b, c, d = var[..., 0, 0], var[..., 0, 1], var[..., 1, 0], var[..., 1, 1]
    det = a * d - b * c
    ia, ib, id_ = (d / det)[..., None, None], (-(b + c) / det)[..., None, None], (a / det)[..., None, None]
    return torch.exp(-0.5 * (ia * dx * dx + ib * dx * dy + id_ * dy * dy))


def gaussian2kp(heat, clip_variance):
    """Moments of the heatmaps (N, K, h, w) + 1e-7 (the original code's offset)."""
    h, w = heat.shape[2:]
    p = heat + 1e-7
    g = mn.coordinate_grid(h, w)
    gx, gy = g[..., 0], g[..., 1]
    mx = (p * gx).sum(dim=(2, 3))
    my = (p * gy).sum(dim=(2, 3))
    dx = gx - mx[..., None, None]
    dy = gy - my[..., None, None]
    vxx = (p * dx * dx).sum(dim=(2, 3))
    vxy = (p * dx * dy).sum(dim=(2, 3))
    vyy = (p * dy * dy).sum(dim=(2, 3))
    mean = torch.stack([mx, my], -1)
    var = torch.stack([torch.stack([vxx, vxy], -1), torch.stack([vxy, vyy], -1)], -2)
    if clip_variance:
        sg = mn.smallest_singular(var)[..., None, None]
        var = torch.clamp(sg, min=clip_variance) * var / sg
    return mean, var


class MonkeyNet2d:
    def __init__(self, config_text, seed):
        self.m = mn.MonkeyNet(config_text, seed=seed)

    # -- keypoint detector
    def detect(self, x):
        m = self.m
        logits = hourglass(m.predictor, scale(x, m.kp_scale))
        n, k, h, w = logits.shape
        heat = F.softmax(logits.reshape(n, k, h * w) / m.temperature, dim=2).reshape(n, k, h, w)
        return gaussian2kp(heat, m.clip)

    def encode(self, source):
        return encoder(self.m.appearance_encoder, source)

    # -- Monkey-Net's MovementEmbeddingModule: (N, slots * per-slot channels, h, w), slot-major
    def embedding(self, p, source, kp_d, kp_s):
        m = self.m
        source = scale(source, p.get("scale_factor", 1))
        h, w = source.shape[2:]
        n = kp_d[0].shape[0]
        bg = p.get("add_bg_feature_map", False)
        slots = m.K + bg
        inputs = []
        if p.get("use_heatmap", True):
            heat = self.normalize(p, kp2gaussian(*kp_d, h, w))
            if p.get("heatmap_type", "gaussian") == "difference":
                heat = heat - self.normalize(p, kp2gaussian(*kp_s, h, w))
            if bg:
                heat = torch.cat([torch.zeros_like(heat[:, :1]), heat], dim=1)
            inputs.append(heat.unsqueeze(2))
        diff = kp_s[0] - kp_d[0]
        if bg:
            diff = torch.cat([torch.zeros_like(diff[:, :1]), diff], dim=1)
        if p.get("use_difference", False):
            inputs.append(diff.reshape(n, slots, 2, 1, 1).expand(n, slots, 2, h, w))
        if p.get("use_deformed_source_image", False):
            grid = mn.coordinate_grid(h, w).reshape(1, h, w, 2) + diff.reshape(n * slots, 1, 1, 2)
            rep = source.expand(n * slots, source.shape[1], h, w)
            deformed = F.grid_sample(rep, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
            inputs.append(deformed.reshape(n, slots, source.shape[1], h, w))
        return torch.cat(inputs, dim=2).reshape(n, -1, h, w)

    @staticmethod
    def normalize(p, heat):
        nc = p.get("norm_const", "sum")
        return heat / heat.sum(dim=(2, 3), keepdim=True) if nc == "sum" else heat / nc

    def dense_motion(self, source, kp_d, kp_s):
        m = self.m
        x = self.embedding(m.mask_emb, scale(source, m.dm_scale), kp_d, kp_s)
        for gb in m.group_blocks:
            x = F.leaky_relu(conv(gb, x), 0.2)
        pred = hourglass(m.dm_hourglass, x)
        n, _, h, w = pred.shape
        rel = torch.zeros_like(pred[:, :2])
        if m.use_mask:
            mask = F.softmax(pred[:, :m.K + 1], dim=1).unsqueeze(2)
            diff_p = {"use_heatmap": False, "use_difference": True, "add_bg_feature_map": True,
                      "scale_factor": m.mask_emb.get("scale_factor", 1)}
            diff = self.embedding(diff_p, scale(source, m.dm_scale), kp_d, kp_s).reshape(n, m.K + 1, 2, h, w)
            rel = (diff * mask).sum(dim=1)
        if m.use_correction:
            rel = rel + pred[:, -2:]
        return rel + mn.coordinate_grid(h, w).permute(2, 0, 1).unsqueeze(0)  # (N, 2, h, w): x, y

    def resize(self, x, size):
        if self.m.mode == "trilinear":
            return F.interpolate(x, size=size, mode="bilinear", align_corners=False)
        return F.interpolate(x, size=size, mode="nearest")

    def deform(self, inp, deformation):
        n = deformation.shape[0]
        grid = self.resize(deformation, tuple(inp.shape[2:])).permute(0, 2, 3, 1)
        return F.grid_sample(inp.expand(n, inp.shape[1], inp.shape[2], inp.shape[3]), grid,
                             mode="bilinear", padding_mode="zeros", align_corners=True)

    def generate(self, skips, kp_d, kp_s):
        """skips: the appearance encoder's outputs for the (1, C, H, W) source, skips[0] the source itself."""
        m = self.m
        source = skips[0]
        deformation = self.dense_motion(source, kp_d, kp_s)
        deformed = [self.deform(s, deformation) for s in skips]
        if m.kp_emb is not None:
            emb = self.embedding(m.kp_emb, source, kp_d, kp_s)
            deformed = [torch.cat([x, self.resize(emb, tuple(s.shape[2:]))], dim=1) for x, s in zip(deformed, skips)]
        x = decoder(m.video_decoder, deformed)
        for n1, c1, n2, c2 in m.refinement:
            y = F.relu(F.batch_norm(x, *n1, training=False, eps=mn.BN_EPS))
            y = F.relu(F.batch_norm(conv(c1, y), *n2, training=False, eps=mn.BN_EPS))
            x = conv(c2, y) + x
        return torch.sigmoid(conv(m.conv_last, x))

    def frame(self, driving, kp_offset, kp_source_mean, kp_source_var, skips):
        """The per-driving-frame work: detect the driving keypoints, move their means by kp_offset
        (relative motion: source means - first driving frame's means; zeros for absolute), generate."""
        mean, var = self.detect(driving)
        prediction = self.generate(skips, (mean + kp_offset, var), (kp_source_mean, kp_source_var))
        return prediction, mean, var
