"""Minimal safetensors reader/writer (the format of golden/FORMAT.md), F32 and F64 only."""
import json
import struct

import numpy as np

_DTYPES = {'F32': np.float32, 'F64': np.float64}


def read(path):
    with open(path, 'rb') as f:
        raw = f.read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        dt = np.dtype(_DTYPES[info['dtype']]).newbyteorder('<')
        a, b = info['data_offsets']
        tensors[name] = np.frombuffer(raw[base + a:base + b], dtype=dt).reshape(info['shape']).copy()
    return tensors, meta


def write(path, tensors, meta):
    header = {'__metadata__': {k: str(v) for k, v in meta.items()}}
    blobs = []
    off = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype='<f4')
        b = arr.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
