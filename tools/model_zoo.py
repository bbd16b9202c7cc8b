#!/usr/bin/python3
"""Exports a reproducible zoo of DNN model graphs to ONNX for pipecut.

Run with Debian's interpreter (its torch/onnx modules import only there):

    tools/install_zoo_deps.sh                      # once: python3-torch, -torchvision, -onnx
    /usr/bin/python3 tools/model_zoo.py OUT_DIR [--models resnet50,vit_b_16] [--keep-weights]

Every model is built with random weights (no download; only shapes matter),
exported with torch.onnx.export at opset 13 and a fixed input shape, and then
stripped: initializer data is dropped while dims and data_type are kept, so a
partitioner still sees every weight's size. Small integer initializers (shape
and index constants, <= 1024 elements) are kept intact because shape inference
needs their values. The result is tens to hundreds of KB per model.

Transformer stacks are exported with autograd enabled and dropout 0: under
torch.no_grad() / eval, torch.nn.TransformerEncoderLayer takes a fused fast
path that ONNX opset 13 cannot export (see /work/shared/STACK.md section 9).

Models (name: input):
  resnet50, densenet121, mobilenet_v2, efficientnet_b0, vit_b_16: 1x3x224x224
  inception_v3: 1x3x299x299
  bert_base_like: token ids 1x128, 12 post-norm encoder layers, d=768, 12 heads
  gpt_like: token ids 1x128, 12 pre-norm causal layers, d=768, 12 heads, LM head
"""

import argparse
import os
import sys
import time

import onnx
import torch
import torchvision

OPSET = 13
KEEP_INT_ELEMENTS = 1024
INT_TYPES = {
    onnx.TensorProto.INT8, onnx.TensorProto.UINT8, onnx.TensorProto.INT16,
    onnx.TensorProto.UINT16, onnx.TensorProto.INT32, onnx.TensorProto.UINT32,
    onnx.TensorProto.INT64, onnx.TensorProto.UINT64, onnx.TensorProto.BOOL,
}


class TokenTransformer(torch.nn.Module):
    """Token embedding + learned positions + a torch.nn.TransformerEncoder."""

    def __init__(self, vocab, seq, d_model, heads, layers, ffn, causal,
                 norm_first, lm_head):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, d_model)
        self.pos = torch.nn.Parameter(torch.zeros(1, seq, d_model))
        layer = torch.nn.TransformerEncoderLayer(
            d_model, heads, ffn, dropout=0.0, activation="gelu",
            batch_first=True, norm_first=norm_first)
        self.encoder = torch.nn.TransformerEncoder(
            layer, layers, norm=torch.nn.LayerNorm(d_model),
            enable_nested_tensor=False)
        self.causal = causal
        self.seq = seq
        self.head = torch.nn.Linear(d_model, vocab) if lm_head else None

    def forward(self, ids):
        x = self.embed(ids) + self.pos
        mask = None
        if self.causal:
            mask = torch.triu(
                torch.full((self.seq, self.seq), float("-inf")), diagonal=1)
        x = self.encoder(x, mask=mask)
        return self.head(x) if self.head is not None else x


def image(size=224):
    return torch.randn(1, 3, size, size)


def tokens(seq=128, vocab=30522):
    return torch.randint(0, vocab, (1, seq), dtype=torch.int64)


def build(name):
    """Returns (model, example input) for a zoo name."""
    tv = torchvision.models
    if name == "resnet50":
        return tv.resnet50(weights=None), image()
    if name == "inception_v3":
        return tv.inception_v3(weights=None, aux_logits=False,
                               init_weights=False), image(299)
    if name == "densenet121":
        return tv.densenet121(weights=None), image()
    if name == "mobilenet_v2":
        return tv.mobilenet_v2(weights=None), image()
    if name == "efficientnet_b0":
        return tv.efficientnet_b0(weights=None), image()
    if name == "vit_b_16":
        return tv.vit_b_16(weights=None), image()
    if name == "bert_base_like":
        return TokenTransformer(30522, 128, 768, 12, 12, 3072, causal=False,
                                norm_first=False, lm_head=False), tokens()
    if name == "gpt_like":
        return TokenTransformer(50257, 128, 768, 12, 12, 3072, causal=True,
                                norm_first=True, lm_head=True), tokens(
                                    vocab=50257)
    raise ValueError(f"unknown model {name}")


MODELS = ["resnet50", "inception_v3", "densenet121", "mobilenet_v2",
          "efficientnet_b0", "vit_b_16", "bert_base_like", "gpt_like"]


def strip_tensor(t):
    """Drops a tensor's payload, keeping dims and data_type; returns bytes saved."""
    numel = 1
    for d in t.dims:
        numel *= d
    if t.data_type in INT_TYPES and numel <= KEEP_INT_ELEMENTS:
        return 0
    before = t.ByteSize()
    for field in ("float_data", "int32_data", "string_data", "int64_data",
                  "double_data", "uint64_data"):
        t.ClearField(field)
    t.ClearField("raw_data")
    return before - t.ByteSize()


def strip(model):
    saved = 0
    for t in model.graph.initializer:
        saved += strip_tensor(t)
    for node in model.graph.node:
        if node.op_type != "Constant":
            continue
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR:
                saved += strip_tensor(attr.t)
    return saved


def export(name, out_dir, keep_weights):
    torch.manual_seed(0)
    model, example = build(name)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(True)
    path = os.path.join(out_dir, f"{name}.onnx")
    start = time.time()
    with torch.enable_grad():
        torch.onnx.export(model, (example,), path, opset_version=OPSET,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
    proto = onnx.load(path)
    proto.graph.name = name
    saved = 0 if keep_weights else strip(proto)
    onnx.save(proto, path)
    print(f"{name}: {len(proto.graph.node)} ONNX nodes, "
          f"{os.path.getsize(path)} bytes (stripped {saved}), "
          f"{time.time() - start:.1f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated subset of: " + ", ".join(MODELS))
    parser.add_argument("--keep-weights", action="store_true",
                        help="do not strip initializer data")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(1)
    failed = []
    for name in args.models.split(","):
        try:
            export(name, args.out_dir, args.keep_weights)
        except Exception as e:  # keep exporting the rest; report at the end
            print(f"{name}: FAILED: {e}", file=sys.stderr, flush=True)
            failed.append(name)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
