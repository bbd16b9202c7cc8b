#ifndef PIPECUT_CORE_IMPORTERS_ONNX_SHAPE_FOLDING_H_
#define PIPECUT_CORE_IMPORTERS_ONNX_SHAPE_FOLDING_H_

#include "onnx/onnx_pb.h"

namespace pipecut {

// Evaluates the small integer computations exporters emit to build shapes
// (Shape -> Gather -> Mul -> Unsqueeze -> Concat -> Reshape/Slice targets)
// and replaces every evaluated node, in place, by a Constant node with the
// same name and outputs, so that the next ONNX shape inference pass sees the
// values. ONNX 1.12's own data propagation misses some of these (e.g. the
// Mul-computed Slice bounds of torch's fused attention in-projection).
//
// A node is evaluated when it is Shape/Size of a tensor whose shape is fully
// known in the model's value_info/inputs/outputs, or when all its inputs are
// known integer tensors (initializers with data, Constants) and the op is
// one of Constant, Identity, Cast (to an integer type), Gather, Unsqueeze,
// Squeeze, Concat, Slice, Add, Sub, Mul, Div, Equal, Where, Range,
// ConstantOfShape (with at most 4096 elements). Node order and names are
// preserved. Returns the number of nodes replaced; 0 means a fixpoint. Never
// throws; anything malformed is left alone.
int FoldShapeComputations(onnx::ModelProto& model);

}  // namespace pipecut

#endif  // PIPECUT_CORE_IMPORTERS_ONNX_SHAPE_FOLDING_H_
