#ifndef PIPECUT_CORE_IMPORTERS_ONNX_OP_COST_H_
#define PIPECUT_CORE_IMPORTERS_ONNX_OP_COST_H_

#include <cstdint>
#include <vector>

#include "onnx/onnx_pb.h"

namespace pipecut {

// What the cost formulas need to know about one tensor.
struct TensorDesc {
  std::vector<int64_t> dims;  // a scalar has no dims
  int64_t element_bytes = 4;
  bool present = true;  // false: an omitted optional input ("")
  bool known = true;    // false: some dims were unknown and taken as 1

  double numel() const;  // product of dims (1 for a scalar), in double
  double bytes() const { return numel() * static_cast<double>(element_bytes); }
};

// The arithmetic and memory traffic of one operator.
struct OpCost {
  double flops = 0;          // a multiply-add counts 2
  double bytes_touched = 0;  // inputs read once + outputs written once
  bool has_formula = true;   // false: the elementwise fallback was used
};

// FLOPs and bytes of an ONNX operator of the default domain from its input
// and output tensors (in the node's input/output order). The formulas, with
// numel(T) the element count of T:
//   Conv                 2 numel(Y) prod(W.dims[1:]) (+ numel(Y) with a bias)
//                        [W is M x C/group x k..., so grouped/depthwise conv
//                        is covered: each output reads C/group x k inputs]
//   ConvTranspose        2 numel(X) prod(W.dims[1:]) (+ numel(Y) with a bias)
//                        [W is C x M/group x k...; each input scatters to it]
//   Gemm                 2 numel(Y) K (+ numel(Y) with C), K from A and transA
//   MatMul(Integer)      2 numel(Y) K, K = A.dims.back() (batched/broadcast
//                        matmuls and attention's QK^T and AV are MatMuls)
//   Einsum               2 prod(size of every index letter) with >= 2
//                        operands, else prod(size of every letter)
//   LSTM / GRU / RNN     2 X.dims[0] X.dims[1] (numel(W) + numel(R))
//   Max/Avg/LpPool       numel(Y) prod(kernel_shape)
//   Global*Pool          numel(X)
//   BatchNormalization   4 numel(X)       (subtract, scale, multiply, shift)
//   Layer/Instance/Group-Normalization, MeanVarianceNormalization
//                        7 numel(X)       (mean, centre, square, sum, scale,
//                                          affine multiply and shift)
//   Softmax, LogSoftmax  5 numel(X)       (max, subtract, exp, sum, divide)
//   Reduce*, ArgMax/Min, TopK             numel(X)
//   simple elementwise (Add, Relu, Where, Clip, ...)   numel(Y)
//   transcendental elementwise (Exp, Tanh, Erf, Sigmoid, Pow, ...) 4 numel(Y)
//   data movement (Transpose, Concat, Slice, Gather, Pad, Cast, ...)  0 FLOPs
//   views (Reshape, Flatten, (Un)Squeeze, Identity, Dropout): 0 FLOPs and 0
//                        bytes (no copy is needed)
//   any other op         numel(all outputs), has_formula = false
// Missing shapes never crash: they contribute what their (partial) dims say.
OpCost EstimateOpCost(const onnx::NodeProto& node,
                      const std::vector<TensorDesc>& inputs,
                      const std::vector<TensorDesc>& outputs);

// Bytes per element of an onnx::TensorProto::DataType (0 for STRING and
// UNDEFINED, 4 for an unknown code).
int64_t OnnxElementBytes(int32_t data_type);

}  // namespace pipecut

#endif  // PIPECUT_CORE_IMPORTERS_ONNX_OP_COST_H_
