//===- CpqOps.td - ops of the cpq dialect ------------------*- tablegen -*-===//
//
// This file defines the ops of the cpq dialect in four groups: parameters,
// layers (what a user writes), training ops (what --cpq-expand-training
// emits: gradients and optimizer updates) and inference ops (what --cpq-freeze
// emits: packed weights, integer codes, requantization). Closed sets of words
// (grid kinds, DropBits modes, inits) are enum attributes (CpqEnums.td).
// Each op's checks are one function over its generated adaptor, run by its
// verify() and by its inferReturnTypes (lib/CpqOps.cpp, CpqTrainingOps.cpp,
// CpqInferenceOps.cpp), so every error names the op, the operand and both
// sizes.
//
// Conventions: activations are NCHW (or NC after flatten) float32 with a
// dynamic batch; grid kinds and the quantizer's arithmetic are those of
// cpq-method.md sections 1-5.
//
//===----------------------------------------------------------------------===//
#ifndef CPQ_OPS_TD
#define CPQ_OPS_TD

include "cpq/dialect/CpqDialect.td"
include "cpq/dialect/CpqEnums.td"
include "cpq/dialect/CpqInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints and shared attributes
//===----------------------------------------------------------------------===//

def Cpq_FloatTensor : RankedTensorOf<[F32]>;
def Cpq_CodeTensor : RankedTensorOf<[UI8, SI8]>;
def Cpq_FloatOrCodeTensor : RankedTensorOf<[F32, UI8, SI8]>;
def Cpq_PoolableTensor : RankedTensorOf<[F32, UI8, SI8, I32]>;
def Cpq_AccTensor : RankedTensorOf<[I32]>;
def Cpq_PackedTensor : RankedTensorOf<[UI8]>;
def Cpq_LabelTensor : RankedTensorOf<[I32]>;

defvar Cpq_WindowAttrs = (ins
  DefaultValuedAttr<I64ArrayAttr, "{1, 1}">:$stride,
  DefaultValuedAttr<I64ArrayAttr, "{0, 0}">:$padding);
defvar Cpq_ConvAttrs = !con(Cpq_WindowAttrs, (ins DefaultValuedAttr<I64Attr, "1">:$groups));
defvar Cpq_PoolAttrs = (ins I64ArrayAttr:$kernel,
  OptionalAttr<I64ArrayAttr>:$stride,
  DefaultValuedAttr<I64ArrayAttr, "{0, 0}">:$padding);
defvar Cpq_GridAttrs = (ins Cpq_GridKindAttr:$grid, I64Attr:$bits);
// The quantizer's options: grid, per-channel axis (absent: per tensor),
// DropBits (p = 0 disables it) and the L0 weight of the learned gates.
defvar Cpq_QuantizerAttrs = !con(Cpq_GridAttrs, (ins
  OptionalAttr<I64Attr>:$axis,
  DefaultValuedAttr<F64Attr, "0.0">:$dropbits_p,
  DefaultValuedAttr<Cpq_DropBitsModeAttr, "::cpq::dialect::DropBitsMode::Hierarchical">:$dropbits,
  DefaultValuedAttr<F64Attr, "0.0">:$gate_lambda));
defvar Cpq_BatchNormAttrs = (ins
  DefaultValuedAttr<F64Attr, "1e-5">:$epsilon,
  DefaultValuedAttr<F64Attr, "0.1">:$momentum);

class Cpq_ShapedOp<string mnemonic, list<Trait> traits = []>
    : Cpq_Op<mnemonic, !listconcat(traits,
        [NoSideEffect, DeclareOpInterfaceMethods<InferTypeOpInterface>])>;
// A layer the training expansion differentiates; `overrides` lists the
// interface methods with a default the op replaces.
class Cpq_LayerOp<string mnemonic, list<Trait> traits = [], list<string> overrides = []>
    : Cpq_ShapedOp<mnemonic, !listconcat(traits,
        [DeclareOpInterfaceMethods<Cpq_DifferentiableOpInterface, overrides>])>;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Cpq_ParamOp : Cpq_Op<"param", [NoSideEffect]> {
  let summary = "a named parameter of the network (weights, biases, quantizer scales)";
  let description = [{
    A parameter is a value the training step receives and updates: the
    network is a plain function of its input and its parameters. `init` is
    how training initialises it: `he_normal` (N(0, 2 / fan_in)),
    `glorot_uniform`, `zeros`, `ones`, or `constant` with a `value` (a float
    splat, or a dense array once trained values are bound). Parameters with
    `trainable = false` (batch-norm running statistics) are updated by their
    layer, not by the optimizer. Names are unique within a function.

    Example:

    ```mlir
    %w = cpq.param "conv1.weight" {init = "he_normal"} : tensor<32x1x5x5xf32>
    %alpha = cpq.param "conv1.weight.alpha" {init = "constant", value = dense<0.05> : tensor<1xf32>} : tensor<1xf32>
    %mean = cpq.param "bn1.mean" {init = "zeros", trainable = false} : tensor<64xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name, Cpq_InitKindAttr:$init, OptionalAttr<ElementsAttr>:$value,
                       DefaultValuedAttr<BoolAttr, "true">:$trainable);
  let results = (outs Cpq_FloatTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def Cpq_Conv2dOp : Cpq_LayerOp<"conv2d", [], ["buildCurvature"]> {
  let summary = "2-D convolution, NCHW input, OIHW filter, optional bias";
  let description = [{
    `y[n, o, i, j] = b[o] + sum_{c, u, v} x[n, g*C/G + c, i*sh + u - ph, j*sw + v - pw] * w[o, c, u, v]`
    with `g = o / (O / G)` the group of output channel `o`, zero outside the
    input. The filter has `C / groups` input channels; `O` must be divisible
    by `groups`. Output size `(H + 2 ph - KH) / sh + 1`.

    Example:

    ```mlir
    %y = cpq.conv2d %x, %w, %b {padding = [2, 2]}
        : (tensor<?x1x28x28xf32>, tensor<32x1x5x5xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$input, Cpq_FloatTensor:$filter,
                            Optional<Cpq_FloatTensor>:$bias), Cpq_ConvAttrs);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def Cpq_DenseOp : Cpq_LayerOp<"dense", [], ["buildCurvature"]> {
  let summary = "fully connected layer, y = x w^T + b";
  let description = [{
    `x` is `N x I`, `w` is `O x I` (the layout of a 1x1 convolution's filter),
    the optional bias has `O` entries.

    Example:

    ```mlir
    %y = cpq.dense %x, %w, %b : (tensor<?x3136xf32>, tensor<512x3136xf32>, tensor<512xf32>) -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$input, Cpq_FloatTensor:$weight, Optional<Cpq_FloatTensor>:$bias);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
}

def Cpq_ReluOp : Cpq_LayerOp<"relu", [SameOperandsAndResultType], ["buildCurvature"]> {
  let hasCanonicalizer = 1;
  let summary = "rectified linear unit, max(x, 0) element-wise";
  let description = [{
    Example:

    ```mlir
    %y = cpq.relu %x : tensor<?x32x28x28xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$input);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cpq_MaxPool2dOp : Cpq_LayerOp<"maxpool2d", [], ["buildCurvature"]> {
  let summary = "2-D max pooling over NCHW, on floats or integer codes";
  let description = [{
    Window `kernel`, `stride` (default: the kernel) and zero-based `padding`
    (padded positions never win). Integer codes are accepted because the
    quantizer is monotone: pooling codes equals quantizing the pooled values,
    which is what inference after `--cpq-freeze` relies on. So are int32
    sums: `--cpq-freeze` pools a layer's sums before requantizing them when
    every channel's scale is positive (requantization is then monotone, so
    the result is the same, with a quarter of the requantizations for a 2x2
    window).

    Example:

    ```mlir
    %y = cpq.maxpool2d %x {kernel = [2, 2]} : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x14xf32>
    ```
  }];
  let arguments = !con((ins Cpq_PoolableTensor:$input), Cpq_PoolAttrs);
  let results = (outs Cpq_PoolableTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Cpq_AvgPool2dOp : Cpq_LayerOp<"avgpool2d"> {
  let summary = "2-D average pooling over NCHW";
  let description = [{
    The mean over each window; padded positions count as zeros (the divisor
    is always `KH * KW`). A window as large as the input is global average
    pooling.

    Example:

    ```mlir
    %y = cpq.avgpool2d %x {kernel = [8, 8]} : (tensor<?x256x8x8xf32>) -> tensor<?x256x1x1xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$input), Cpq_PoolAttrs);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Cpq_BatchNormOp : Cpq_LayerOp<"batch_norm", [], ["buildTrainingForward"]> {
  let summary = "batch normalisation over the channel axis 1";
  let description = [{
    In the network (and in `eval_step`) it uses the running statistics:
    `y = gamma * (x - mean) / sqrt(var + epsilon) + beta`. The training
    expansion replaces it by `cpq.batch_norm_train`, which normalises with the
    batch statistics and updates `mean` and `var` with `momentum`
    (`new = (1 - momentum) old + momentum batch`, unbiased batch variance).

    Example:

    ```mlir
    %y = cpq.batch_norm %x, %gamma, %beta, %mean, %var
        : (tensor<?x64x16x16xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x16x16xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$input, Cpq_FloatTensor:$gamma, Cpq_FloatTensor:$beta,
                            Cpq_FloatTensor:$mean, Cpq_FloatTensor:$variance), Cpq_BatchNormAttrs);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$input `,` $gamma `,` $beta `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)";
}

def Cpq_FlattenOp : Cpq_LayerOp<"flatten", [], ["buildCurvature"]> {
  let hasCanonicalizer = 1;
  let summary = "keeps the batch axis and flattens the others, row-major";
  let description = [{
    Example:

    ```mlir
    %y = cpq.flatten %x : (tensor<?x64x7x7xf32>) -> tensor<?x3136xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatOrCodeTensor:$input);
  let results = (outs Cpq_FloatOrCodeTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Cpq_AddOp : Cpq_LayerOp<"add", [SameOperandsAndResultType, Commutative], ["buildCurvature"]> {
  let summary = "element-wise sum (residual connections, gradient accumulation)";
  let description = [{
    Example:

    ```mlir
    %y = cpq.add %a, %b : tensor<?x64x16x16xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$lhs, Cpq_FloatTensor:$rhs);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($output)";
}

def Cpq_SoftmaxCrossEntropyOp : Cpq_ShapedOp<"softmax_cross_entropy"> {
  let summary = "mean softmax cross-entropy of logits against labels, and the correct count";
  let description = [{
    `loss = mean_n (logsumexp(logits[n, :]) - logits[n, labels[n]])`;
    `correct` counts the rows whose arg-max (first on ties) equals the label.
    Labels outside `0 .. K-1` are a run-time error of the kernel.

    Example:

    ```mlir
    %loss, %correct = cpq.softmax_cross_entropy %logits, %labels
        : (tensor<?x10xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$logits, Cpq_LabelTensor:$labels);
  let results = (outs RankedTensorOf<[F32]>:$loss, RankedTensorOf<[I32]>:$correct);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Cpq_QuantizeOp : Cpq_LayerOp<"quantize", [], ["buildTrainingForward"]> {
  let summary = "the CPQ quantizer (cpq-method.md sections 2-5)";
  let description = [{
    Rounds to the nearest point of the grid `alpha * q` (`grid`: signed,
    unsigned or symmetric; `bits` 1..8) and clips. `alpha` and `sigma` (the
    logistic noise scale of the multi-class straight-through estimator) are
    operands: one entry per tensor, or one per channel along `axis`. With
    `gate_logits` (`bits - 1` entries, levels 2..bits) the output is the gated
    residual of section 5 and `gate_lambda` weighs its L0 regulariser.

    In a network (and in `eval_step`) this is the evaluation form: nothing is
    dropped and gates are deterministic. The training expansion replaces it
    by `cpq.quantize_train`, which draws DropBits masks with probability
    `dropbits_p` (`hierarchical` or `independent`) and hard-concrete gates.
    DropBits and gates need nested sub-grids, so `symmetric` grids reject
    them.

    Example:

    ```mlir
    %wq = cpq.quantize %w, %alpha, %sigma {grid = "signed", bits = 2, axis = 0, dropbits_p = 0.25}
        : (tensor<32x1x5x5xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x1x5x5xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$input, Cpq_FloatTensor:$alpha, Cpq_FloatTensor:$sigma,
                            Optional<Cpq_FloatTensor>:$gate_logits), Cpq_QuantizerAttrs);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$input `,` $alpha `,` $sigma (`,` $gate_logits^)? attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Training ops (emitted by --cpq-expand-training)
//===----------------------------------------------------------------------===//

def Cpq_QuantizeTrainOp : Cpq_ShapedOp<"quantize_train"> {
  let summary = "the quantizer in a training step: DropBits masks and gates drawn";
  let description = [{
    As `cpq.quantize`, with the DropBits mask (and, with `gate_logits`, the
    hard-concrete gates) of this tensor drawn from the counter-based stream
    `(seed, step, tensor_id)`, so `cpq.quantize_grad` with the same operands
    sees the same masks. `seed` and `step` are the training step's scalars.

    Example:

    ```mlir
    %wq = cpq.quantize_train %w, %alpha, %sigma, %seed, %step {grid = "signed", bits = 2, dropbits_p = 0.25, tensor_id = 0}
        : (tensor<32x1x5x5xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<32x1x5x5xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$input, Cpq_FloatTensor:$alpha, Cpq_FloatTensor:$sigma,
                            I64:$seed, I64:$step, Optional<Cpq_FloatTensor>:$gate_logits),
                       Cpq_QuantizerAttrs, (ins I64Attr:$tensor_id));
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$input `,` $alpha `,` $sigma `,` $seed `,` $step (`,` $gate_logits^)? attr-dict `:` functional-type(operands, results)";
}

def Cpq_QuantizeGradOp : Cpq_ShapedOp<"quantize_grad"> {
  let summary = "multi-class straight-through estimator: gradients of the quantizer";
  let description = [{
    One fused pass over the elements (section 3 on the surviving grid of the
    same masks as `cpq.quantize_train`): `dL/dx` per element and the sums
    `dL/dalpha`, `dL/dsigma` (shaped like `alpha`), and with gates
    `dL/dlog_a`, which includes `gate_lambda` times the gradient of the
    expected extra bits, counted over the elements of `input` when it is a
    parameter (a weight) and over one image's elements otherwise (an
    activation: the batch's first dimension left out, so lambda does not
    depend on the batch size).

    Example:

    ```mlir
    %dx, %dalpha, %dsigma = cpq.quantize_grad %dy, %w, %alpha, %sigma, %seed, %step {grid = "signed", bits = 2, tensor_id = 0}
        : (tensor<32x1x5x5xf32>, tensor<32x1x5x5xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64)
        -> (tensor<32x1x5x5xf32>, tensor<1xf32>, tensor<1xf32>)
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input, Cpq_FloatTensor:$alpha,
                            Cpq_FloatTensor:$sigma, I64:$seed, I64:$step,
                            Optional<Cpq_FloatTensor>:$gate_logits),
                       Cpq_QuantizerAttrs, (ins I64Attr:$tensor_id));
  let results = (outs Cpq_FloatTensor:$input_grad, Cpq_FloatTensor:$alpha_grad, Cpq_FloatTensor:$sigma_grad,
                      Optional<Cpq_FloatTensor>:$gate_logits_grad);
  let assemblyFormat = "$output_grad `,` $input `,` $alpha `,` $sigma `,` $seed `,` $step (`,` $gate_logits^)? attr-dict `:` functional-type(operands, results)";
}

def Cpq_ReluGradOp : Cpq_ShapedOp<"relu_grad"> {
  let summary = "gradient of relu: dy where x > 0, else 0";
  let description = [{
    Example:

    ```mlir
    %dx = cpq.relu_grad %dy, %x : (tensor<?x32x28x28xf32>, tensor<?x32x28x28xf32>) -> tensor<?x32x28x28xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input);
  let results = (outs Cpq_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def Cpq_Conv2dGradInputOp : Cpq_ShapedOp<"conv2d_grad_input"> {
  let summary = "gradient of conv2d with respect to its input";
  let description = [{
    The transposed convolution of `dy` with the filter; `input` gives the
    shape (it is not read). Attributes as in the forward `cpq.conv2d`.

    Example:

    ```mlir
    %dx = cpq.conv2d_grad_input %dy, %x, %w {padding = [2, 2]}
        : (tensor<?x32x28x28xf32>, tensor<?x1x28x28xf32>, tensor<32x1x5x5xf32>) -> tensor<?x1x28x28xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input, Cpq_FloatTensor:$filter),
                       Cpq_ConvAttrs);
  let results = (outs Cpq_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $input `,` $filter attr-dict `:` functional-type(operands, results)";
}

def Cpq_Conv2dGradFilterOp : Cpq_ShapedOp<"conv2d_grad_filter"> {
  let summary = "gradient of conv2d with respect to its filter";
  let description = [{
    The correlation of the input with `dy`, summed over the batch; `filter`
    gives the shape (it is not read).

    Example:

    ```mlir
    %dw = cpq.conv2d_grad_filter %dy, %x, %w {padding = [2, 2]}
        : (tensor<?x32x28x28xf32>, tensor<?x1x28x28xf32>, tensor<32x1x5x5xf32>) -> tensor<32x1x5x5xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input, Cpq_FloatTensor:$filter),
                       Cpq_ConvAttrs);
  let results = (outs Cpq_FloatTensor:$filter_grad);
  let assemblyFormat = "$output_grad `,` $input `,` $filter attr-dict `:` functional-type(operands, results)";
}

def Cpq_BiasGradOp : Cpq_ShapedOp<"bias_grad"> {
  let summary = "gradient of a bias: dy summed over every axis but the channel axis 1";
  let description = [{
    Example:

    ```mlir
    %db = cpq.bias_grad %dy : (tensor<?x32x28x28xf32>) -> tensor<32xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$output_grad);
  let results = (outs Cpq_FloatTensor:$bias_grad);
  let assemblyFormat = "$output_grad attr-dict `:` functional-type(operands, results)";
}

def Cpq_DenseGradInputOp : Cpq_ShapedOp<"dense_grad_input"> {
  let summary = "gradient of dense with respect to its input, dx = dy w";
  let description = [{
    Example:

    ```mlir
    %dx = cpq.dense_grad_input %dy, %w : (tensor<?x10xf32>, tensor<10x512xf32>) -> tensor<?x512xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$weight);
  let results = (outs Cpq_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $weight attr-dict `:` functional-type(operands, results)";
}

def Cpq_DenseGradWeightOp : Cpq_ShapedOp<"dense_grad_weight"> {
  let summary = "gradient of dense with respect to its weight, dw = dy^T x";
  let description = [{
    Example:

    ```mlir
    %dw = cpq.dense_grad_weight %dy, %x : (tensor<?x10xf32>, tensor<?x512xf32>) -> tensor<10x512xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input);
  let results = (outs Cpq_FloatTensor:$weight_grad);
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def Cpq_MaxPool2dGradOp : Cpq_ShapedOp<"maxpool2d_grad"> {
  let summary = "gradient of maxpool2d: dy routed to each window's first maximum";
  let description = [{
    Example:

    ```mlir
    %dx = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2]}
        : (tensor<?x32x14x14xf32>, tensor<?x32x28x28xf32>) -> tensor<?x32x28x28xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input), Cpq_PoolAttrs);
  let results = (outs Cpq_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def Cpq_AvgPool2dGradOp : Cpq_ShapedOp<"avgpool2d_grad"> {
  let summary = "gradient of avgpool2d: dy / (KH KW) spread over each window";
  let description = [{
    Example:

    ```mlir
    %dx = cpq.avgpool2d_grad %dy, %x {kernel = [8, 8]}
        : (tensor<?x256x1x1xf32>, tensor<?x256x8x8xf32>) -> tensor<?x256x8x8xf32>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input), Cpq_PoolAttrs);
  let results = (outs Cpq_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def Cpq_BatchNormTrainOp : Cpq_ShapedOp<"batch_norm_train"> {
  let summary = "batch normalisation with batch statistics, and the running statistics' update";
  let description = [{
    Returns the normalised output, the batch mean and `1 / sqrt(batch_var +
    epsilon)` (biased variance, kept for the gradient), and the updated
    running mean and variance.

    Example:

    ```mlir
    %y, %bmean, %binvstd, %mean1, %var1 = cpq.batch_norm_train %x, %gamma, %beta, %mean, %var
        : (tensor<?x64x16x16xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
        -> (tensor<?x64x16x16xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$input, Cpq_FloatTensor:$gamma, Cpq_FloatTensor:$beta,
                            Cpq_FloatTensor:$mean, Cpq_FloatTensor:$variance), Cpq_BatchNormAttrs);
  let results = (outs Cpq_FloatTensor:$output, Cpq_FloatTensor:$batch_mean, Cpq_FloatTensor:$batch_inv_std,
                      Cpq_FloatTensor:$new_mean, Cpq_FloatTensor:$new_variance);
  let assemblyFormat = "$input `,` $gamma `,` $beta `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)";
}

def Cpq_BatchNormGradOp : Cpq_ShapedOp<"batch_norm_grad"> {
  let summary = "gradients of batch normalisation in training mode";
  let description = [{
    With `x_hat = (x - batch_mean) * batch_inv_std` and `M` elements per
    channel: `dbeta = sum dy`, `dgamma = sum dy x_hat`,
    `dx = gamma batch_inv_std (dy - dbeta / M - x_hat dgamma / M)`.

    Example:

    ```mlir
    %dx, %dgamma, %dbeta = cpq.batch_norm_grad %dy, %x, %gamma, %bmean, %binvstd
        : (tensor<?x64x16x16xf32>, tensor<?x64x16x16xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
        -> (tensor<?x64x16x16xf32>, tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input, Cpq_FloatTensor:$gamma,
                       Cpq_FloatTensor:$batch_mean, Cpq_FloatTensor:$batch_inv_std);
  let results = (outs Cpq_FloatTensor:$input_grad, Cpq_FloatTensor:$gamma_grad, Cpq_FloatTensor:$beta_grad);
  let assemblyFormat = "$output_grad `,` $input `,` $gamma `,` $batch_mean `,` $batch_inv_std attr-dict `:` functional-type(operands, results)";
}

def Cpq_FlattenGradOp : Cpq_ShapedOp<"flatten_grad"> {
  let summary = "gradient of flatten: dy reshaped like the input";
  let description = [{
    Example:

    ```mlir
    %dx = cpq.flatten_grad %dy, %x : (tensor<?x3136xf32>, tensor<?x64x7x7xf32>) -> tensor<?x64x7x7xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$output_grad, Cpq_FloatTensor:$input);
  let results = (outs Cpq_FloatTensor:$input_grad);
  let assemblyFormat = "$output_grad `,` $input attr-dict `:` functional-type(operands, results)";
}

def Cpq_SoftmaxCrossEntropyGradOp : Cpq_ShapedOp<"softmax_cross_entropy_grad"> {
  let summary = "gradient of the mean cross-entropy: (softmax(logits) - onehot(labels)) / N";
  let description = [{
    Example:

    ```mlir
    %dlogits = cpq.softmax_cross_entropy_grad %logits, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$logits, Cpq_LabelTensor:$labels);
  let results = (outs Cpq_FloatTensor:$logits_grad);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` functional-type(operands, results)";
}

def Cpq_SoftmaxCrossEntropyHessianOp : Cpq_ShapedOp<"softmax_cross_entropy_hessian"> {
  let summary = "diagonal of the Hessian of the mean cross-entropy in the logits: p (1 - p) / N";
  let description = [{
    `p = softmax(logits)` per row; the second derivative of the batch's mean
    softmax cross-entropy with respect to each logit alone, which does not
    depend on the labels. The start of the second-order backward pass of
    `--cpq-expand-hessian`.

    Example:

    ```mlir
    %hlogits = cpq.softmax_cross_entropy_hessian %logits : tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$logits);
  let results = (outs Cpq_FloatTensor:$logits_hessian);
  let assemblyFormat = "$logits attr-dict `:` type($logits)";
}

def Cpq_SquareOp : Cpq_ShapedOp<"square", [SameOperandsAndResultType]> {
  let summary = "element-wise square, x * x";
  let description = [{
    The second-order backward pass of `--cpq-expand-hessian` runs the
    gradient ops of a layer on the squares of its weights and inputs.

    Example:

    ```mlir
    %w2 = cpq.square %w : tensor<32x1x5x5xf32>
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$input);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cpq_SgdUpdateOp : Cpq_ShapedOp<"sgd_update"> {
  let summary = "SGD with momentum and weight decay";
  let description = [{
    `g' = grad + weight_decay * param`, `m' = momentum * m + g'`,
    `param' = param - lr * (nesterov ? g' + momentum * m' : m')`, then, with
    `lower_bound`, `param' = max(param', lower_bound)` (a projected step:
    --cpq-expand-training keeps quantizer scales alpha and sigma positive).

    With `relative`, the step is taken in `log(param)` (for positive scales):
    `g' = grad * param` (the gradient with respect to `log(param)`) and
    `param' = param * exp(-lr * (nesterov ? g' + momentum * m' : m'))`, so
    each step changes the parameter by a fraction of itself; weight decay is
    then refused.

    `lr_scale` (default 1) multiplies `lr` for this parameter only:
    --cpq-expand-training gives learned bit-width gates their own rate.

    Example:

    ```mlir
    %w1, %m1 = cpq.sgd_update %w, %dw, %m, %lr {momentum = 0.9, weight_decay = 5.0e-4}
        : (tensor<512xf32>, tensor<512xf32>, tensor<512xf32>, f32) -> (tensor<512xf32>, tensor<512xf32>)
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$param, Cpq_FloatTensor:$grad, Cpq_FloatTensor:$momentum_buffer, F32:$lr,
                       DefaultValuedAttr<F64Attr, "0.9">:$momentum,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       UnitAttr:$nesterov, OptionalAttr<F64Attr>:$lower_bound, UnitAttr:$relative,
                       DefaultValuedAttr<F64Attr, "1.0">:$lr_scale);
  let results = (outs Cpq_FloatTensor:$new_param, Cpq_FloatTensor:$new_momentum_buffer);
  let assemblyFormat = "$param `,` $grad `,` $momentum_buffer `,` $lr attr-dict `:` functional-type(operands, results)";
}

def Cpq_AdamUpdateOp : Cpq_ShapedOp<"adam_update"> {
  let summary = "Adam (with decoupled weight decay, AdamW) and its moment state";
  let description = [{
    With `t = step + 1`: `m' = beta1 m + (1 - beta1) grad`,
    `v' = beta2 v + (1 - beta2) grad^2`,
    `param' = param - lr * (m' / (1 - beta1^t)) / (sqrt(v' / (1 - beta2^t)) + epsilon) - lr * weight_decay * param`,
    then, with `lower_bound`, `param' = max(param', lower_bound)` (a projected step).

    With `relative`, Adam runs on `log(param)` (for positive scales such as a
    quantizer's alpha and sigma): the moments take `grad * param` (the
    gradient with respect to `log(param)`) and
    `param' = param * exp(-lr * m_hat / (sqrt(v_hat) + epsilon))`, so a step
    changes the parameter by about `lr` of itself whatever its magnitude;
    weight decay is then refused.

    `lr_scale` (default 1) multiplies `lr` for this parameter only:
    --cpq-expand-training gives learned bit-width gates their own rate.

    Example:

    ```mlir
    %w1, %m1, %v1 = cpq.adam_update %w, %dw, %m, %v, %lr, %step
        : (tensor<512xf32>, tensor<512xf32>, tensor<512xf32>, tensor<512xf32>, f32, i64)
        -> (tensor<512xf32>, tensor<512xf32>, tensor<512xf32>)
    ```
  }];
  let arguments = (ins Cpq_FloatTensor:$param, Cpq_FloatTensor:$grad, Cpq_FloatTensor:$first_moment,
                       Cpq_FloatTensor:$second_moment, F32:$lr, I64:$step,
                       DefaultValuedAttr<F64Attr, "0.9">:$beta1,
                       DefaultValuedAttr<F64Attr, "0.999">:$beta2,
                       DefaultValuedAttr<F64Attr, "1e-8">:$epsilon,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay,
                       OptionalAttr<F64Attr>:$lower_bound, UnitAttr:$relative,
                       DefaultValuedAttr<F64Attr, "1.0">:$lr_scale);
  let results = (outs Cpq_FloatTensor:$new_param, Cpq_FloatTensor:$new_first_moment,
                      Cpq_FloatTensor:$new_second_moment);
  let assemblyFormat = "$param `,` $grad `,` $first_moment `,` $second_moment `,` $lr `,` $step attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Inference ops (emitted by --cpq-freeze)
//===----------------------------------------------------------------------===//

def Cpq_EncodeOp : Cpq_ShapedOp<"encode"> {
  let summary = "float values to integer grid levels q (round to nearest, clip)";
  let description = [{
    The forward quantizer without the final multiplication by `alpha`:
    unsigned grids give `ui8` levels, signed and symmetric grids `si8`
    (so an 8-bit symmetric grid, levels up to 255, cannot be encoded).
    Used on the network input at inference.

    Example:

    ```mlir
    %q = cpq.encode %x, %alpha {grid = "unsigned", bits = 8} : (tensor<?x1x28x28xf32>, tensor<1xf32>) -> tensor<?x1x28x28xui8>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$input, Cpq_FloatTensor:$alpha), Cpq_GridAttrs);
  let results = (outs Cpq_CodeTensor:$codes);
  let assemblyFormat = "$input `,` $alpha attr-dict `:` functional-type(operands, results)";
}

def Cpq_DecodeOp : Cpq_ShapedOp<"decode"> {
  let summary = "integer grid levels back to float values, alpha * q (alpha * q / 2 on symmetric grids)";
  let description = [{
    Where an inference network needs a float value of quantized activations
    (a residual addition, average pooling, the logits), the levels are
    scaled back. The level type must be the grid's (`cpq.encode`).

    Example:

    ```mlir
    %x = cpq.decode %q, %alpha {grid = "unsigned", bits = 2} : (tensor<?x32x14x14xui8>, tensor<1xf32>) -> tensor<?x32x14x14xf32>
    ```
  }];
  let arguments = !con((ins Cpq_CodeTensor:$codes, Cpq_FloatTensor:$alpha), Cpq_GridAttrs);
  let results = (outs Cpq_FloatTensor:$output);
  let assemblyFormat = "$codes `,` $alpha attr-dict `:` functional-type(operands, results)";
}

def Cpq_PackOp : Cpq_ShapedOp<"pack"> {
  let summary = "quantizes a weight tensor and packs its b-bit codes, one row per output channel";
  let description = [{
    Each output channel (axis 0) is one row of `K` codes (the other axes
    flattened, row-major); a code is the level's index from the lowest grid
    point (`q - q_min`, halved on symmetric grids), stored in `bits` bits,
    little-endian within a byte, rows padded with zero bits to whole bytes:
    the result is `O x ceil(K * bits / 8)` bytes. `alpha` is per tensor or
    per output channel.

    Example:

    ```mlir
    %p = cpq.pack %w, %alpha {grid = "signed", bits = 2} : (tensor<32x1x5x5xf32>, tensor<32xf32>) -> tensor<32x7xui8>
    ```
  }];
  let arguments = !con((ins Cpq_FloatTensor:$weight, Cpq_FloatTensor:$alpha), Cpq_GridAttrs);
  let results = (outs Cpq_PackedTensor:$packed);
  let assemblyFormat = "$weight `,` $alpha attr-dict `:` functional-type(operands, results)";
}

def Cpq_QConv2dOp : Cpq_ShapedOp<"qconv2d"> {
  let summary = "convolution of integer activation levels with packed weight codes, int32 sums";
  let description = [{
    `acc[n, o, i, j] = sum q_x * q_w` over the window (padding contributes
    level 0), with `q_w` unpacked from `cpq.pack`'s layout of a weight grid
    `grid`/`bits` and `kernel` = `[KH, KW]`; the float value is
    `acc * alpha_x * alpha_w` (halved on symmetric grids), applied by
    `cpq.requantize`.

    Example:

    ```mlir
    %acc = cpq.qconv2d %q, %p {grid = "signed", bits = 2, kernel = [5, 5], padding = [2, 2]}
        : (tensor<?x32x14x14xui8>, tensor<64x200xui8>) -> tensor<?x64x14x14xi32>
    ```
  }];
  let arguments = !con((ins Cpq_CodeTensor:$input, Cpq_PackedTensor:$packed_filter),
                       Cpq_GridAttrs, (ins I64ArrayAttr:$kernel), Cpq_ConvAttrs);
  let results = (outs Cpq_AccTensor:$output);
  let assemblyFormat = "$input `,` $packed_filter attr-dict `:` functional-type(operands, results)";
}

def Cpq_QDenseOp : Cpq_ShapedOp<"qdense"> {
  let summary = "fully connected layer on integer levels and packed weight codes, int32 sums";
  let description = [{
    `acc[n, o] = sum_i q_x[n, i] q_w[o, i]`, `q_w` unpacked from `cpq.pack`.

    Example:

    ```mlir
    %acc = cpq.qdense %q, %p {grid = "signed", bits = 2} : (tensor<?x3136xui8>, tensor<512x784xui8>) -> tensor<?x512xi32>
    ```
  }];
  let arguments = !con((ins Cpq_CodeTensor:$input, Cpq_PackedTensor:$packed_weight), Cpq_GridAttrs);
  let results = (outs Cpq_AccTensor:$output);
  let assemblyFormat = "$input `,` $packed_weight attr-dict `:` functional-type(operands, results)";
}

def Cpq_RequantizeOp : Cpq_ShapedOp<"requantize"> {
  let summary = "int32 sums to the next layer's levels: scale, bias, ReLU and quantizer fused";
  let description = [{
    `y = acc * scale[c] + bias[c]` per channel (axis 1), then `max(y, 0)`
    with `relu`; with `next_alpha` the result is `y` encoded on the next
    quantizer's grid (`grid`, `bits`; levels as in `cpq.encode`), without it
    `y` itself in float32 (the logits).

    The arithmetic is fixed so that every kernel gives the same levels, with
    or without FMA contraction (the project's choice): levels are
    `clamp(floor(acc * m + c), lo, hi)` (`2 * floor(..) + 1` on symmetric
    grids) in float64, with `m = scale / next_alpha` rounded to float32,
    `c = bias / next_alpha` (+ 0.5 off symmetric grids) and `lo` raised to
    the level of 0 with `relu`; logits are `float(acc * scale + bias)`
    computed in float64. Both are exact while `|acc| < 2^29`
    (`kernels/include/cpq/kernels/packed_reference.h`, the scalar reference).

    Example:

    ```mlir
    %q2 = cpq.requantize %acc, %scale, %bias, %alpha2 {relu, grid = "unsigned", bits = 2}
        : (tensor<?x32x28x28xi32>, tensor<32xf32>, tensor<32xf32>, tensor<1xf32>) -> tensor<?x32x28x28xui8>
    ```
  }];
  let arguments = (ins Cpq_AccTensor:$input, Cpq_FloatTensor:$scale, Cpq_FloatTensor:$bias,
                       Optional<Cpq_FloatTensor>:$next_alpha, UnitAttr:$relu,
                       OptionalAttr<Cpq_GridKindAttr>:$grid, OptionalAttr<I64Attr>:$bits);
  let results = (outs Cpq_FloatOrCodeTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias (`,` $next_alpha^)? attr-dict `:` functional-type(operands, results)";
}

#endif // CPQ_OPS_TD
