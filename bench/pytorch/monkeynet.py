"""A compact Monkey-Net inference forward in PyTorch, written from /work/shared/SPEC.md and the
structure of the original research code (Conv3d with (1, 3, 3) kernels, BatchNorm3d in eval mode,
5-D grid_sample, F.interpolate), for timing against the Java engine on the same machine.

Weights follow the project's `prng` rule (golden/FORMAT.md), so a model built here has exactly
the parameters of `Weights.prng(seed)` in Java. Speed does not depend on the values; equal
weights make a cross-check of outputs possible.
"""
import numpy as np
import torch
import torch.nn.functional as F
import yaml

BN_EPS = 1e-5

# ---------------------------------------------------------------------------------------------
# prng weights (golden/FORMAT.md), vectorised over the parameter's elements

_M64 = (1 << 64) - 1


def _splitmix64_int(x):
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _splitmix64_np(x):
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _fnv1a64(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & _M64
    return h


# Where parameters and the model's own constant tensors (coordinate grids, zero slots) live:
# bench_torch.py --device cuda sets a CUDA device before building the model.
DEVICE = {"d": torch.device("cpu")}


def prng_param(name, shape, seed):
    n = int(np.prod(shape))
    if name.endswith(".num_batches_tracked"):
        return torch.zeros(shape, device=DEVICE["d"])
    base = _fnv1a64(name) ^ _splitmix64_int(seed)
    with np.errstate(over="ignore"):
        idx = np.uint64(base) + np.arange(n, dtype=np.uint64)
    u = (_splitmix64_np(idx) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    fan_in = float(np.prod(shape[1:])) if len(shape) > 1 else 1.0
    if name.endswith(".running_mean") or name.endswith(".bias"):
        v = 0.1 * (2 * u - 1)
    elif name.endswith(".running_var") or (name.endswith(".weight") and len(shape) == 1):
        v = 0.75 + 0.5 * u
    elif name.endswith(".weight"):
        v = (2 * u - 1) * np.sqrt(6.0 / fan_in)
    else:
        raise ValueError("no prng rule for " + name)
    return torch.from_numpy(v.astype(np.float32).reshape(shape)).to(DEVICE["d"])


# ---------------------------------------------------------------------------------------------
# layers; FLOPS counts convolution FLOPs (2 per multiply-add) while `counting` is on

FLOPS = {"on": False, "n": 0}

# True: convolutions, pools and upsamplings run as 2-D ops with the frames folded into the batch
# (the same function; in Debian's torch 1.13 CPU build conv3d with a (1, 3, 3) kernel is several
# times slower than conv2d, so this is the stronger baseline). False: Conv3d/avg_pool3d/5-D
# interpolate exactly as the original code calls them.
FRAMES_AS_BATCH = {"on": True}

# True: every 2-D convolution on the CPU calls oneDNN (torch.mkldnn_convolution) directly. F.conv2d
# sends a batch-1 input of at most 20,480 values with a 3x3 kernel (the deep, small layers: 512
# channels at 4x4) to aten's im2col "slow_conv2d", which in Debian's build (BLAS_INFO=generic) is
# 10-37x slower than oneDNN on the same shape; batched calls already take oneDNN. Same function
# (relative difference ~1e-6), so this is the stronger baseline. False: F.conv2d's own choice.
MKLDNN_ALL = {"on": True}


def to_2d(x):
    b, c, d, h, w = x.shape
    return x.squeeze(2) if d == 1 else x.transpose(1, 2).reshape(b * d, c, h, w)


def to_5d(y, b, d):
    return y.unsqueeze(2) if d == 1 else y.view((b, d) + tuple(y.shape[1:])).transpose(1, 2)


def avg_pool(x):
    if FRAMES_AS_BATCH["on"]:
        return to_5d(F.avg_pool2d(to_2d(x), 2), x.shape[0], x.shape[2])
    return F.avg_pool3d(x, kernel_size=(1, 2, 2))


def upsample2(x):
    if FRAMES_AS_BATCH["on"]:
        return to_5d(F.interpolate(to_2d(x), scale_factor=2), x.shape[0], x.shape[2])
    return F.interpolate(x, scale_factor=(1, 2, 2))


class Conv:
    """Conv3d with kernel (1, k, k), padding (0, k//2, k//2), optionally followed by eval BN and ReLU."""

    def __init__(self, w, name, cin, cout, k=3, groups=1, norm=None, relu=False):
        self.weight = w(name + ".weight", (cout, cin // groups, 1, k, k))
        self.bias = w(name + ".bias", (cout,))
        self.k, self.groups, self.cin, self.cout = k, groups, cin, cout
        self.bn = bn(w, norm, cout) if norm else None
        self.relu = relu

    def __call__(self, x):
        if FLOPS["on"]:
            b, _, d, h, wd = x.shape
            FLOPS["n"] += 2 * self.cout * (self.cin // self.groups) * self.k * self.k * b * d * h * wd
        p = self.k // 2
        b, d = x.shape[0], x.shape[2]
        if FRAMES_AS_BATCH["on"]:
            x2 = to_2d(x)
            if MKLDNN_ALL["on"] and x2.device.type == "cpu" and torch.backends.mkldnn.is_available():
                x = torch.mkldnn_convolution(x2.contiguous(), self.weight.squeeze(2).contiguous(), self.bias,
                                             [p, p], [1, 1], [1, 1], self.groups)
            else:
                x = F.conv2d(x2, self.weight.squeeze(2), self.bias, padding=p, groups=self.groups)
        else:
            x = F.conv3d(x, self.weight, self.bias, padding=(0, p, p), groups=self.groups)
        if self.bn is not None:
            x = F.batch_norm(x, *self.bn, training=False, eps=BN_EPS)
        x = F.relu(x) if self.relu else x
        return to_5d(x, b, d) if FRAMES_AS_BATCH["on"] else x


def bn(w, name, c):
    # F.batch_norm(x, running_mean, running_var, weight, bias)
    return (w(name + ".running_mean", (c,)), w(name + ".running_var", (c,)),
            w(name + ".weight", (c,)), w(name + ".bias", (c,)))


def features(e, m, i):
    return min(m, e * 2 ** i)


class Encoder:
    def __init__(self, w, prefix, e, cin, n, m):
        self.blocks = []
        for i in range(n):
            b = f"{prefix}down_blocks.{i}"
            self.blocks.append(Conv(w, b + ".conv", cin if i == 0 else features(e, m, i), features(e, m, i + 1),
                                    norm=b + ".norm", relu=True))

    def __call__(self, x):
        outs = [x]
        for blk in self.blocks:
            outs.append(avg_pool(blk(outs[-1])))
        return outs


class Decoder:
    def __init__(self, w, prefix, e, cin, cout, n, m, a=0, last_conv=True):
        self.blocks = []
        for j, i in enumerate(range(n - 1, -1, -1)):
            b = f"{prefix}up_blocks.{j}"
            c = (1 if i == n - 1 else 2) * features(e, m, i + 1) + a
            self.blocks.append(Conv(w, b + ".conv", c, features(e, m, i), norm=b + ".norm", relu=True))
        self.conv = Conv(w, prefix + "conv", e + cin + a, cout) if last_conv else None

    def __call__(self, skips):
        skips = list(skips)
        out = skips.pop()
        for blk in self.blocks:
            out = blk(upsample2(out))
            out = torch.cat([out, skips.pop()], dim=1)
        return self.conv(out) if self.conv is not None else out


class Hourglass:
    def __init__(self, w, prefix, e, cin, cout, n, m):
        self.encoder = Encoder(w, prefix + "encoder.", e, cin, n, m)
        self.decoder = Decoder(w, prefix + "decoder.", e, cin, cout, n, m)

    def __call__(self, x):
        return self.decoder(self.encoder(x))


# ---------------------------------------------------------------------------------------------
# keypoint arithmetic

def coordinate_grid(h, w):
    x = 2 * (torch.arange(w, dtype=torch.float32, device=DEVICE["d"]) / (w - 1)) - 1
    y = 2 * (torch.arange(h, dtype=torch.float32, device=DEVICE["d"]) / (h - 1)) - 1
    return torch.stack([x.view(1, -1).expand(h, w), y.view(-1, 1).expand(h, w)], dim=2)


def inverse2x2(var):
    a, b, c, d = var[..., 0, 0], var[..., 0, 1], var[..., 1, 0], var[..., 1, 1]
    det = a * d - b * c
    return torch.stack([torch.stack([d, -b], -1), torch.stack([-c, a], -1)], -2) / det[..., None, None]


def kp2gaussian_matmul(mean, var, h, w):
    """The original code's formulation: batched 1x2 @ 2x2 @ 2x1 matmuls per pixel."""
    lead = mean.shape[:-1]
    grid = coordinate_grid(h, w).view((1,) * len(lead) + (h, w, 2))
    sub = grid - mean.view(lead + (1, 1, 2))
    inv = inverse2x2(var).view(lead + (1, 1, 2, 2))
    under = torch.matmul(torch.matmul(sub.unsqueeze(-2), inv), sub.unsqueeze(-1))
    return torch.exp(-0.5 * under.squeeze(-1).squeeze(-1))


def kp2gaussian(mean, var, h, w):
    """The same quadratic form written element-wise (what a PyTorch user would optimise it to)."""
    lead = mean.shape[:-1]
    g = coordinate_grid(h, w)
    dx = g[..., 0] - mean[..., 0].reshape(lead + (1, 1))
    dy = g[..., 1] - mean[..., 1].reshape(lead + (1, 1))
    inv = inverse2x2(var)
    ia, ib, id_ = (inv[..., 0, 0].reshape(lead + (1, 1)), (inv[..., 0, 1] + inv[..., 1, 0]).reshape(lead + (1, 1)),
                   inv[..., 1, 1].reshape(lead + (1, 1)))
    return torch.exp(-0.5 * (ia * dx * dx + ib * dx * dy + id_ * dy * dy))


def smallest_singular(var):
    a, b, c, d = var[..., 0, 0], var[..., 0, 1], var[..., 1, 0], var[..., 1, 1]
    s1 = a * a + b * b + c * c + d * d
    s2 = torch.sqrt((a * a + b * b - c * c - d * d) ** 2 + 4 * (a * c + b * d) ** 2)
    return torch.sqrt((s1 - s2) / 2)


def gaussian2kp_matmul(heat, clip_variance):
    """The original code's formulation (heat (B, K, D, h, w)): outer products by matmul."""
    h, w = heat.shape[3:]
    heat = heat.unsqueeze(-1) + 1e-7
    grid = coordinate_grid(h, w).view(1, 1, 1, h, w, 2)
    mean = (heat * grid).sum(dim=(3, 4))
    sub = grid - mean.unsqueeze(-2).unsqueeze(-2)
    var = torch.matmul(sub.unsqueeze(-1), sub.unsqueeze(-2)) * heat.unsqueeze(-1)
    var = var.sum(dim=(3, 4)).permute(0, 2, 1, 3, 4)
    if clip_variance:
        sg = smallest_singular(var)[..., None, None]
        var = torch.clamp(sg, min=clip_variance) * var / sg
    return mean.permute(0, 2, 1, 3), var


def gaussian2kp(heat, clip_variance):
    """Element-wise moments: E[x], E[y], E[(x-mx)^2], E[(x-mx)(y-my)], E[(y-my)^2]."""
    h, w = heat.shape[3:]
    p = heat + 1e-7
    g = coordinate_grid(h, w)
    gx, gy = g[..., 0], g[..., 1]
    mx = (p * gx).sum(dim=(3, 4))
    my = (p * gy).sum(dim=(3, 4))
    dx = gx - mx[..., None, None]
    dy = gy - my[..., None, None]
    vxx = (p * dx * dx).sum(dim=(3, 4))
    vxy = (p * dx * dy).sum(dim=(3, 4))
    vyy = (p * dy * dy).sum(dim=(3, 4))
    mean = torch.stack([mx, my], -1).permute(0, 2, 1, 3)
    var = torch.stack([torch.stack([vxx, vxy], -1), torch.stack([vxy, vyy], -1)], -2).permute(0, 2, 1, 3, 4)
    if clip_variance:
        sg = smallest_singular(var)[..., None, None]
        var = torch.clamp(sg, min=clip_variance) * var / sg
    return mean, var


def softmax_pixels(x, temperature):
    s = x.shape
    return F.softmax(x.reshape(s[0], s[1], s[2], -1) / temperature, dim=3).view(s)


# ---------------------------------------------------------------------------------------------
# the model

class MonkeyNet:
    def __init__(self, config_text, seed=7):
        mp = yaml.safe_load(config_text)["model_params"]
        common = mp["common_params"]
        assert common.get("kp_variance", "matrix") == "matrix", "only kp_variance: matrix is implemented here"
        self.K, self.C = common["num_kp"], common.get("num_channels", 3)

        def w(name, shape):
            return prng_param(name, shape, seed)

        kp = mp["kp_detector_params"]
        self.kp_scale = kp.get("scale_factor", 1)
        self.temperature = kp["temperature"]
        self.clip = kp.get("clip_variance")
        self.predictor = Hourglass(w, "kp_detector.predictor.", kp["block_expansion"], self.C, self.K,
                                   kp["num_blocks"], kp["max_features"])
        g = mp["generator_params"]
        e, n, m = g["block_expansion"], g["num_blocks"], g["max_features"]
        self.mode = g.get("interpolation_mode", "nearest")
        self.appearance_encoder = Encoder(w, "generator.appearance_encoder.", e, self.C, n, m)
        dm = g["dense_motion_params"]
        self.dm_scale = dm.get("scale_factor", 1)
        self.mask_emb = dict(dm["mask_embedding_params"], add_bg_feature_map=True)
        ce = self.emb_channels(self.mask_emb)
        self.group_blocks = [Conv(w, f"generator.dense_motion_module.group_blocks.{i}.conv", ce, ce, k=1,
                                  groups=self.K + 1, norm=f"generator.dense_motion_module.group_blocks.{i}.norm",
                                  relu=True) for i in range(dm.get("num_group_blocks", 0))]
        self.use_mask, self.use_correction = dm.get("use_mask", False), dm.get("use_correction", False)
        out = (self.K + 1) * self.use_mask + 2 * self.use_correction
        self.dm_hourglass = Hourglass(w, "generator.dense_motion_module.hourglass.", dm["block_expansion"], ce, out,
                                      dm["num_blocks"], dm["max_features"])
        self.kp_emb = g.get("kp_embedding_params")
        a = self.emb_channels(self.kp_emb) if self.kp_emb is not None else 0
        self.video_decoder = Decoder(w, "generator.video_decoder.", e, self.C, self.C, n, m, a, last_conv=False)
        f = e + self.C + a
        self.refinement = []
        for i in range(g.get("num_refinement_blocks", 0)):
            p = f"generator.refinement_module.r{i}"
            self.refinement.append((bn(w, p + ".norm1", f), Conv(w, p + ".conv1", f, f),
                                    bn(w, p + ".norm2", f), Conv(w, p + ".conv2", f, f)))
        self.conv_last = Conv(w, "generator.refinement_module.conv-last", f, self.C, k=1)

    def emb_channels(self, p):
        per = (1 if p.get("use_heatmap", True) else 0) + 2 * p.get("use_difference", False) \
              + self.C * p.get("use_deformed_source_image", False)
        return (self.K + p.get("add_bg_feature_map", False)) * per

    # -- keypoint detector
    def detect(self, x):
        if self.kp_scale != 1:
            x = F.interpolate(x, scale_factor=(1, self.kp_scale, self.kp_scale))
        heat = softmax_pixels(self.predictor(x), self.temperature)
        return gaussian2kp(heat, self.clip)

    # -- movement embedding (Monkey-Net's MovementEmbeddingModule)
    def embedding(self, p, source, kp_d, kp_s):
        scale = p.get("scale_factor", 1)
        if scale != 1:
            source = F.interpolate(source, scale_factor=(1, scale, scale))
        bs, _, _, h, w = source.shape
        d = kp_d[0].shape[1]
        bg = p.get("add_bg_feature_map", False)
        slots = self.K + bg
        inputs = []
        if p.get("use_heatmap", True):
            heat = self.normalize(p, kp2gaussian(*kp_d, h, w))
            if p.get("heatmap_type", "gaussian") == "difference":
                heat = heat - self.normalize(p, kp2gaussian(*kp_s, h, w))
            if bg:
                heat = torch.cat([heat.new_zeros(bs, d, 1, h, w), heat], dim=2)
            inputs.append(heat.unsqueeze(3))
        diff = kp_s[0] - kp_d[0]
        if bg:
            diff = torch.cat([diff.new_zeros(bs, d, 1, 2), diff], dim=2)
        diff = diff.view(bs, d, slots, 2, 1, 1).repeat(1, 1, 1, 1, h, w)
        if p.get("use_difference", False):
            inputs.append(diff)
        if p.get("use_deformed_source_image", False):
            rep = source.unsqueeze(1).unsqueeze(1).repeat(1, d, slots, 1, 1, 1, 1).view(bs * d * slots, -1, h, w)
            grid = coordinate_grid(h, w).view(1, h, w, 2) + diff.view(bs * d * slots, 2, h, w).permute(0, 2, 3, 1)
            deformed = F.grid_sample(rep, grid, align_corners=True)
            inputs.append(deformed.view(bs, d, slots, -1, h, w))
        enc = torch.cat(inputs, dim=3).view(bs, d, -1, h, w)
        return enc.permute(0, 2, 1, 3, 4)

    @staticmethod
    def normalize(p, heat):
        nc = p.get("norm_const", "sum")
        return heat / heat.sum(dim=(3, 4), keepdim=True) if nc == "sum" else heat / nc

    # -- dense motion
    def dense_motion(self, source, kp_d, kp_s):
        if self.dm_scale != 1:
            source = F.interpolate(source, scale_factor=(1, self.dm_scale, self.dm_scale))
        x = self.embedding(self.mask_emb, source, kp_d, kp_s)
        for gb in self.group_blocks:
            x = F.leaky_relu(gb(x), 0.2)
        pred = self.dm_hourglass(x)
        bs, _, d, h, w = pred.shape
        rel = 0
        if self.use_mask:
            mask = F.softmax(pred[:, :self.K + 1], dim=1).unsqueeze(2)
            diff_p = {"use_heatmap": False, "use_difference": True, "add_bg_feature_map": True,
                      "scale_factor": self.mask_emb.get("scale_factor", 1)}
            diff = self.embedding(diff_p, source, kp_d, kp_s).view(bs, self.K + 1, 2, d, h, w)
            rel = (diff * mask).sum(dim=1)
        if self.use_correction:
            rel = rel + pred[:, -2:]
        deformation = rel.permute(0, 2, 3, 4, 1) + coordinate_grid(h, w).view(1, 1, h, w, 2)
        return torch.cat([deformation, deformation.new_zeros(deformation.shape[:-1] + (1,))], dim=-1)

    # -- generator
    def resize(self, x, size):
        if self.mode == "trilinear":
            return F.interpolate(x, size=size, mode="trilinear", align_corners=False)
        return F.interpolate(x, size=size)

    def deform(self, inp, deformation):
        d = deformation.shape[1]
        grid = self.resize(deformation.permute(0, 4, 1, 2, 3), (d,) + tuple(inp.shape[3:])).permute(0, 2, 3, 4, 1)
        return F.grid_sample(inp, grid, align_corners=True)

    def encode(self, source):
        return self.appearance_encoder(source)

    def generate(self, source, skips, kp_d, kp_s):
        deformation = self.dense_motion(source, kp_d, kp_s)
        deformed = [self.deform(s, deformation) for s in skips]
        if self.kp_emb is not None:
            d = kp_d[0].shape[1]
            emb = self.embedding(self.kp_emb, source, kp_d, kp_s)
            deformed = [torch.cat([x, self.resize(emb, (d,) + tuple(s.shape[3:]))], dim=1)
                        for x, s in zip(deformed, skips)]
        video_deformed = self.deform(source, deformation)
        x = self.video_decoder(deformed)
        for n1, c1, n2, c2 in self.refinement:
            y = F.relu(F.batch_norm(x, *n1, training=False, eps=BN_EPS))
            y = F.relu(F.batch_norm(c1(y), *n2, training=False, eps=BN_EPS))
            x = c2(y) + x
        return torch.sigmoid(self.conv_last(x)), video_deformed


class PreparedSource:
    """Source keypoints and encoder skips computed once; `next` animates driving frames
    (relative motion: move_location), like the Java API's Animation."""

    def __init__(self, model, source):
        self.model, self.source = model, source
        self.kp_s = model.detect(source)
        self.skips = model.encode(source)
        self.first = None

    def next(self, driving):
        mean, var = self.model.detect(driving)
        if self.first is None:
            self.first = mean[:, :1]
        mean = mean - self.first + self.kp_s[0]
        return self.model.generate(self.source, self.skips, (mean, var), self.kp_s)[0]
