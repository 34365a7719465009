"""ONNX Runtime baseline models for `greenbert bench`, from an fp32 model directory:

  OUT/model.onnx       torch.onnx.export of the plain-torch model (scripts/torch_bert.py)
  OUT/model.int8.onnx  that graph quantized the way onnxruntime.quantization.quantize_dynamic
                       does with its defaults (ORT's Python package is not installable here):
                       every MatMul with a constant weight becomes DynamicQuantizeLinear (u8
                       activations, per tensor, computed at run time) + MatMulInteger with int8
                       weights (symmetric, per tensor) + Cast + Mul by the two scales; every
                       Gather on a constant table (the embeddings) reads an int8 table followed
                       by DequantizeLinear. Gemm (pooler, classifier) stays fp32, as in ORT's
                       IntegerOps registry. ORT's graph optimizer then fuses these patterns
                       (DynamicQuantizeMatMul, MatMulIntegerToFloat).

  /usr/bin/python3 scripts/baselines/export_onnx.py --model RUN_DIR --out-dir DIR
"""
import argparse
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from common import load_model


class Logits(torch.nn.Module):
    def __init__(self, model, distil):
        super().__init__()
        self.model, self.distil = model, distil

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        return self.model(input_ids, attention_mask, token_type_ids)[0]


def export(model, config, path):
    distil = config.get("model_type") == "distilbert"
    ids = torch.randint(0, 100, (2, 16), dtype=torch.int64)
    mask = torch.ones_like(ids)
    names = ["input_ids", "attention_mask"] + ([] if distil else ["token_type_ids"])
    args = (ids, mask) if distil else (ids, mask, torch.zeros_like(ids))
    axes = {name: {0: "batch", 1: "sequence"} for name in names}
    axes["logits"] = {0: "batch"}
    torch.onnx.export(Logits(model, distil), args, path, input_names=names,
                      output_names=["logits"], dynamic_axes=axes, opset_version=14,
                      do_constant_folding=True)


def symmetric_int8(values):
    """ORT's symmetric int8 quantization of a tensor: scale = max|x| / 127, zero point 0."""
    amax = float(np.abs(values).max())
    scale = amax / 127.0 if amax > 0 else 1.0
    q = np.clip(np.rint(values / scale), -127, 127).astype(np.int8)
    return q, np.float32(scale)


def quantize_dynamic_like_ort(source, target):
    model = onnx.load(source)
    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    new_nodes, new_initializers, replaced = [], [], set()
    quantized_activations = {}  # float tensor -> (u8 tensor, scale, zero point)

    def add_initializer(name, array):
        new_initializers.append(numpy_helper.from_array(np.asarray(array), name))

    def quantize_weight(name):
        q, scale = symmetric_int8(numpy_helper.to_array(initializers[name]))
        add_initializer(name + "_quantized", q)
        add_initializer(name + "_scale", scale)
        add_initializer(name + "_zero_point", np.int8(0))
        replaced.add(name)
        return name + "_quantized", name + "_scale", name + "_zero_point"

    for node in graph.node:
        is_float_constant = (lambda name: name in initializers and
                             initializers[name].data_type == TensorProto.FLOAT)
        if node.op_type == "MatMul" and is_float_constant(node.input[1]):
            a = node.input[0]
            if a not in quantized_activations:
                quantized_activations[a] = (a + "_quantized", a + "_scale", a + "_zero_point")
                new_nodes.append(helper.make_node("DynamicQuantizeLinear", [a],
                                                  list(quantized_activations[a]),
                                                  name=a + "_QuantizeLinear"))
            a_q, a_scale, a_zp = quantized_activations[a]
            w_q, w_scale, w_zp = quantize_weight(node.input[1])
            out = node.output[0]
            new_nodes += [
                helper.make_node("MatMulInteger", [a_q, w_q, a_zp, w_zp], [out + "_int32"],
                                 name=node.name + "_quant"),
                helper.make_node("Cast", [out + "_int32"], [out + "_cast"], to=TensorProto.FLOAT,
                                 name=node.name + "_cast"),
                helper.make_node("Mul", [a_scale, w_scale], [out + "_scales"],
                                 name=node.name + "_scales_mul"),
                helper.make_node("Mul", [out + "_cast", out + "_scales"], [out],
                                 name=node.name + "_output_scale_mul"),
            ]
        elif node.op_type == "Gather" and is_float_constant(node.input[0]):
            w_q, w_scale, w_zp = quantize_weight(node.input[0])
            out = node.output[0]
            new_nodes += [
                helper.make_node("Gather", [w_q, node.input[1]], [out + "_quantized"],
                                 name=node.name, **{a.name: helper.get_attribute_value(a)
                                                    for a in node.attribute}),
                helper.make_node("DequantizeLinear", [out + "_quantized", w_scale, w_zp], [out],
                                 name=node.name + "_DequantizeLinear"),
            ]
        else:
            new_nodes.append(node)
    del graph.node[:]
    graph.node.extend(new_nodes)
    kept = [i for i in graph.initializer if i.name not in replaced]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_initializers)
    onnx.checker.check_model(model)
    onnx.save(model, target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="fp32 model directory")
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    model, config = load_model(args.model)
    fp32 = os.path.join(args.out_dir, "model.onnx")
    export(model, config, fp32)
    quantize_dynamic_like_ort(fp32, os.path.join(args.out_dir, "model.int8.onnx"))


if __name__ == "__main__":
    main()
