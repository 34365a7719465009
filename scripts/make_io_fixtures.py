#!/usr/bin/python3
"""Generates the small checkpoint fixtures of tests/data/io/ with PyTorch (run once, commit
the outputs; tests never need python):

  views.pt               torch.save (ZIP) of a state_dict of views: transposed, sliced,
                         expanded (stride 0) and permuted tensors, shared storages, every
                         dtype greenbert reads, an empty tensor, a scalar, a Parameter
  views_legacy.pt        the same with the legacy (pre-1.6, non-ZIP) serialization
  views_big_endian.pt    views.pt rewritten as a big-endian checkpoint ("byteorder" record
                         = "big", storages byte-swapped), with Python's zipfile
  views.safetensors      the expected dense values of those tensors, written by the small
                         independent safetensors writer below (reference layout)
  malicious.pt           a state_dict whose pickle calls os.system: must be rejected
  conversions.safetensors float32 inputs with torch's float16 / bfloat16 roundings of them
                         and the widenings back, and float64 inputs with their float32 rounding

Usage: /usr/bin/python3 scripts/make_io_fixtures.py [OUT_DIR]   (default tests/data/io)
"""
import collections
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import torch

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "data", "io")
MALICIOUS_MARKER = "/tmp/greenbert-pwned-by-pickle"

SAFETENSORS_DTYPE = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}
# The reference implementation's dtype enum order (increasing alignment); its writer sorts
# tensors by it, descending, then by name.
REFERENCE_RANK = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"]


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    """An independent writer following the safetensors spec and reference layout."""
    items = sorted(tensors.items(),
                   key=lambda kv: (-REFERENCE_RANK.index(SAFETENSORS_DTYPE[kv[1].dtype]), kv[0]))
    header, blobs, offset = {}, [], 0
    for name, t in items:
        data = tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPE[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def views_state_dict():
    torch.manual_seed(0)
    base = torch.randn(3, 4)
    rows = torch.randn(5, 3)
    cube = torch.randn(2, 3, 4)
    f16 = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1035e-05, 5.96e-08, 3.0e-06,
                        float("inf"), float("-inf"), float("nan"), 1e-3], dtype=torch.float16)
    state = collections.OrderedDict()
    state["f32.base"] = base                          # shares its storage with the next two
    state["f32.transposed"] = base.t()                # strides (1, 4)
    state["f32.column"] = base[:, 1]                  # offset 1, stride 4
    state["f32.rows_slice"] = rows[1:4]               # storage offset 3, contiguous
    state["f32.expanded"] = torch.arange(3.0).expand(2, 3)  # stride (0, 1)
    state["f32.permuted"] = cube.permute(2, 0, 1)     # 3-d, strides (1, 12, 4)
    state["f64"] = torch.randn(2, 3, dtype=torch.float64).t()
    state["f16"] = f16
    state["bf16"] = torch.randn(4, 2).to(torch.bfloat16).t()
    state["i64"] = torch.arange(-6, 6, dtype=torch.int64).reshape(3, 4)[:, ::2]  # stride (4, 2)
    state["i32"] = torch.tensor([[-2**31, 2**31 - 1], [7, -7]], dtype=torch.int32)
    state["i16"] = torch.arange(-12, 12, dtype=torch.int16).reshape(2, 3, 4).transpose(0, 2)
    state["i8"] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    state["u8"] = torch.tensor([0, 1, 128, 255], dtype=torch.uint8)
    state["bool"] = torch.tensor([[True, False, True], [False, False, True]]).t()
    state["empty"] = torch.zeros(0, 3)
    state["scalar"] = torch.tensor(3.5)
    state["param"] = torch.nn.Parameter(torch.randn(2, 2))  # pickled via _rebuild_parameter
    return state


class Malicious:
    def __reduce__(self):
        return (os.system, ("touch " + MALICIOUS_MARKER,))


def storage_element_sizes(pickle_bytes):
    """Storage key -> element size, read from the persistent ids of a torch ZIP's data.pkl."""
    sizes = {}

    class Reader(pickle.Unpickler):
        def find_class(self, module, name):
            if name.endswith("Storage"):
                return getattr(torch, name)
            return super().find_class(module, name)

        def persistent_load(self, pid):
            _, storage_type, key, _, _ = pid
            sizes[key] = storage_type(0).element_size()
            return storage_type(0)

    try:
        Reader(io.BytesIO(pickle_bytes)).load()
    except Exception:  # rebuilding tensors on empty storages fails; the ids are all we need
        pass
    return sizes


def write_big_endian(zip_path, out_path):
    source = zipfile.ZipFile(zip_path)
    prefix = source.namelist()[0].split("/")[0]
    sizes = storage_element_sizes(source.read(prefix + "/data.pkl"))
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_STORED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            key = info.filename[len(prefix + "/data/"):]
            if info.filename.startswith(prefix + "/data/") and sizes.get(key, 1) > 1:
                n = sizes[key]
                data = b"".join(data[i:i + n][::-1] for i in range(0, len(data), n))
            out.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data)
        out.writestr(zipfile.ZipInfo(prefix + "/byteorder", date_time=(1980, 1, 1, 0, 0, 0)), "big")


def conversion_inputs():
    torch.manual_seed(1)
    specials = [0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"),
                65504.0, 65519.99, 65520.0, 65536.0, -65520.0,       # f16 overflow edge
                6.103515625e-05, 6.1035e-05, 5.960464477539063e-08,  # f16 min normal / subnormal
                2.98023223876953125e-08, 2.99e-08, 2.9e-08, 1e-10,   # f16 half-subnormal ties
                3.3895313892515355e+38, 3.4028234663852886e+38,      # bf16 overflow edge
                1.1754943508222875e-38, 1e-40, 1.401298464324817e-45,  # f32 min normal, subnormals
                1.00390625, 1.01171875, 1.0009765625, 1.0029296875,  # bf16 / f16 ties to even
                0.1, 1 / 3, 2.0 ** -14 * 1.5, 2.0 ** -24 * 1.5, 2.0 ** -24 * 2.5]
    values = torch.tensor(specials, dtype=torch.float32)
    scales = torch.tensor([1e-7, 1e-5, 1e-3, 1.0, 1e3, 6e4, 1e20, 1e38])
    noise = torch.randn(8, 64) * scales[:, None]
    # Values exactly between two f16 / bf16 neighbours, to check ties go to even.
    halfway = torch.randn(64)
    halfway_f16 = (halfway.view(torch.int32) & ~0x1FFF | 0x1000).view(torch.float32)
    halfway_bf16 = (halfway.view(torch.int32) & ~0xFFFF | 0x8000).view(torch.float32)
    return torch.cat([values, noise.flatten(), halfway_f16, halfway_bf16])


def main():
    os.makedirs(OUT, exist_ok=True)
    state = views_state_dict()
    torch.save(state, os.path.join(OUT, "views.pt"))
    torch.save(state, os.path.join(OUT, "views_legacy.pt"), _use_new_zipfile_serialization=False)
    write_big_endian(os.path.join(OUT, "views.pt"), os.path.join(OUT, "views_big_endian.pt"))
    write_safetensors(os.path.join(OUT, "views.safetensors"), state)

    torch.save(collections.OrderedDict(weight=torch.ones(2), payload=Malicious()),
               os.path.join(OUT, "malicious.pt"))

    x = conversion_inputs()
    x64 = torch.cat([torch.randn(64, dtype=torch.float64) * 10.0 ** torch.arange(-40, 40, 1.25),
                     torch.tensor([1e300, -1e300, 1e-300, 3.4028235677973366e+38], dtype=torch.float64)])
    write_safetensors(os.path.join(OUT, "conversions.safetensors"), collections.OrderedDict(
        x=x, x_f16=x.half(), x_bf16=x.bfloat16(),
        x_f16_widened=x.half().float(), x_bf16_widened=x.bfloat16().float(),
        x64=x64, x64_f32=x64.float()))
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, name)):8d}  {name}")


if __name__ == "__main__":
    main()
