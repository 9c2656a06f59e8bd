//===- Passes.td - passes of the cpq dialect ---------------*- tablegen -*-===//
//
// The transformations cpq-opt runs on networks: training expansion, binding
// trained parameters, bit-width assignment and freezing for inference.
//
//===----------------------------------------------------------------------===//
#ifndef CPQ_PASSES_TD
#define CPQ_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExpandTraining : Pass<"cpq-expand-training", "mlir::ModuleOp"> {
  let summary = "Builds train_step and eval_step from a network function";
  let description = [{
    The network is a function of one input batch (NCHW or NC, float32) that
    returns the logits (`N x K`), with its parameters as `cpq.param` ops.
    The pass adds

    - `train_step(params..., optimizer state..., input, labels, step, seed,
      learning_rate) -> (params'..., state'..., loss, correct)`: the forward
      in its training form (DropBits masks and gates drawn from
      `(seed, step, tensor_id)`, batch statistics), the mean softmax
      cross-entropy, reverse-mode gradients through each layer's
      DifferentiableOp interface (the quantizer's by the multi-class STE),
      and one optimizer update per trainable parameter; running statistics
      come back updated;
    - `eval_step(params..., input, labels) -> (loss, correct)`: the network
      as written (nothing dropped, deterministic gates, running statistics).

    Every argument and result carries `cpq.role` (param, state, input,
    labels, step, seed, learning_rate, loss, correct) and `cpq.name`.
    Weight decay applies to parameters of rank >= 2 (weights), not to biases,
    batch-norm scales or quantizer parameters.

    A quantizer's `alpha` and `sigma` must stay positive, and an optimizer
    step of size `lr` can take a small one (sigma of a wide layer starts near
    0.01) below zero in a few steps, after which the quantizer is undefined
    (NaN). Their updates are therefore projected onto
    `[scale-floor * initial value, inf)` (the smallest initial value of the
    tensor; the project's choice, the papers do not say).

    Sigma has a floor of its own, `sigma-floor` (the bound is the larger of
    the two fractions). Left free, the sigma of most weight channels shrinks
    towards zero during training, and the multi-class straight-through
    estimator then passes gradient only to the few weights that sit within a
    sigma of a cell edge: a 2-bit LeNet-5 stops learning (underfits) while its
    float twin still improves. Keeping sigma at or above its initial value
    (alpha / 4) removes most of that loss (measured in the README); again the
    project's choice.

    `scale-step=relative` steps quantizer alpha and sigma in log space (the
    `relative` form of the optimizer ops): a step changes a scale by about
    `lr` of itself, whatever its size. With absolute steps the same `lr` moves
    an 8-bit weight grid's alpha (about 1e-3) by its own size within a few
    steps while a 2-bit activation grid's alpha (about 0.3) hardly moves.

    `gate-lr-scale` multiplies the learning rate of learned bit-width gate
    logits (the `lr_scale` of their update). The gates start open (log_a = 3)
    and close when their logit crosses 0; an Adam step moves a logit by about
    `lr`, so at lr 1e-3 with a cosine schedule a logit moves at most about
    3.75 in 7,500 steps, and a gate can close only if the regulariser wins
    from the first step. A larger rate lets the gates settle early and the
    weights adapt to the chosen widths (measured in docs/bit-widths.md).
  }];
  let constructor = "::cpq::dialect::createExpandTrainingPass()";
  let dependentDialects = ["::cpq::dialect::CpqDialect", "::mlir::StandardOpsDialect"];
  let options = [
    Option<"network", "network", "std::string", /*default=*/"\"\"",
           "the network function (default: the module's only function with cpq.param ops)">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"adam\"", "adam or sgd">,
    Option<"momentum", "momentum", "double", /*default=*/"0.9", "SGD momentum">,
    Option<"nesterov", "nesterov", "bool", /*default=*/"false", "Nesterov momentum for SGD">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0.0",
           "weight decay (decoupled for Adam) on parameters of rank >= 2">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "Adam's first-moment decay">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "Adam's second-moment decay">,
    Option<"epsilon", "epsilon", "double", /*default=*/"1e-8", "Adam's epsilon">,
    Option<"scaleFloor", "scale-floor", "double", /*default=*/"0.01",
           "quantizer alpha and sigma are kept at or above this fraction of their initial value (0: no bound)">,
    Option<"sigmaFloor", "sigma-floor", "double", /*default=*/"1.0",
           "quantizer sigma is kept at or above this fraction of its initial value (the larger floor applies)">,
    Option<"scaleStep", "scale-step", "std::string", /*default=*/"\"absolute\"",
           "optimizer steps of quantizer alpha and sigma: absolute, or relative (in log space)">,
    Option<"gateLrScale", "gate-lr-scale", "double", /*default=*/"1.0",
           "learning rate of learned bit-width gate logits, as a multiple of the step's">,
  ];
}

def ExpandHessian : Pass<"cpq-expand-hessian", "mlir::ModuleOp"> {
  let summary = "Builds hessian_diag, the diagonal of the loss's Hessian in every parameter";
  let description = [{
    Adds `hessian_diag(params..., input, labels) -> (hessians..., loss,
    correct)` for the network function (as `--cpq-expand-training` finds
    it): the forward as written, the mean softmax cross-entropy, and a
    second-order backward pass, Becker and LeCun's (1989) diagonal
    Gauss-Newton recursion (cpq-method.md section 6): the logits' diagonal
    `p (1 - p) / N` goes backward through each layer's `buildCurvature`,
    which runs the layer's gradient ops on squared weights (for its input)
    and squared inputs (for its weights): for `y = W x + b`,
    `h_W[i, j] = sum_n h_y[n, i] x[n, j]^2`, `h_b = sum_n h_y`,
    `h_x[n, j] = sum_i W[i, j]^2 h_y[n, i]`; relu and max pooling pass it
    where they pass a gradient; off-diagonal terms are dropped. It is exact
    for the weights and biases of a dense output layer (each reaches one
    logit) and an approximation elsewhere.

    One result per trainable parameter that reaches the loss, in the order
    of the parameters, with `cpq.role = "hessian"` and `cpq.name` the
    parameter's name and `.hessian`. Summed over batches and divided by
    their number, it is the diagonal for the images seen (`cpq-compress
    --hessian diag`). Networks with quantizers, batch norm or average
    pooling are refused (their layers have no second-order pass).
  }];
  let constructor = "::cpq::dialect::createExpandHessianPass()";
  let dependentDialects = ["::cpq::dialect::CpqDialect", "::mlir::StandardOpsDialect"];
  let options = [
    Option<"network", "network", "std::string", /*default=*/"\"\"",
           "the network function (default: the module's only function with cpq.param ops)">,
  ];
}

def QuantizeNetwork : Pass<"cpq-quantize-network", "mlir::ModuleOp"> {
  let summary = "Inserts CPQ quantizers into a float network (WxAy forms)";
  let description = [{
    Turns a float32 network into its quantized form:

    - the weight of every `conv2d` and `dense` is quantized on a `signed`
      grid of `weight-bits`, per output channel (axis 0), with new
      parameters `<weight>.alpha` and `<weight>.sigma`;
    - every `relu` output is quantized on an `unsigned` grid of
      `activation-bits`, per tensor (`actN.alpha`, `actN.sigma`);
    - the input is quantized on an unsigned `input-bits` grid with
      `alpha = 1 / (2^bits - 1)` (images scaled to [0, 1]), not trained;
    - `dropbits-p` and `dropbits` set DropBits on every quantizer, and
      `learn-bits` adds gate logits (`<name>.gates`, open at the start) so
      that training learns each tensor's bit-width up to the given bits.
      They start at `gate-init` (log_a; default 3): a gate drawn from the
      hard concrete at log_a = 3 falls below 1 on about 20% of the steps
      (u < 0.198), at 6 on about 1.2%, so the start sets how much the
      levels are dropped while the gates are still open.

    Initial steps: weights `alpha = c_b * sqrt(2 / fan_in)` with `c_b` the
    step of the optimal uniform quantizer of a unit Gaussian (Max 1960) for
    `b` bits, which matches he_normal; activations
    `alpha = activation-range / (2^b - 1)`, so that the grid spans
    [0, activation-range]. The default 1 suits a he_normal network on
    inputs in [0, 1]: its pre-activations have a standard deviation of
    about 0.64, and the 2-bit grid that quantizes their positive half with
    the least squared error (Max 1960) spans about [0, 1.1].
    `sigma = alpha / 4` everywhere. Weights already quantized are left
    alone. 0 bits keeps that part in float32.

    `weight-grid=symmetric` puts the weights on the mid-rise grid (odd
    levels, `g = alpha * q / 2`, no zero: the binary weights +-alpha/2 at
    1 bit), whose step is exactly Max's for an even number of levels. Its
    sub-grids do not nest, so it takes neither DropBits nor learned
    bit-widths.

    `tensor-bits` gives single tensors other bits (1..8), by the names the
    training report lists: a weight parameter's name (`fc1.weight`) or an
    activation's (`act3`, the N-th ReLU output). With the bits a learned run
    chose, this is the mixed-width network trained from scratch at those
    widths (the CPQ paper's retraining); each grid's initial step follows
    its own bits. A name that is no quantized tensor is an error.
  }];
  let constructor = "::cpq::dialect::createQuantizeNetworkPass()";
  let dependentDialects = ["::cpq::dialect::CpqDialect"];
  let options = [
    Option<"weightBits", "weight-bits", "int64_t", /*default=*/"0", "bits of weights (0: float32)">,
    Option<"activationBits", "activation-bits", "int64_t", /*default=*/"0", "bits of ReLU outputs (0: float32)">,
    Option<"inputBits", "input-bits", "int64_t", /*default=*/"8", "bits of the input (0: float32)">,
    Option<"dropbitsP", "dropbits-p", "double", /*default=*/"0.0", "DropBits probability p (0: off)">,
    Option<"dropbits", "dropbits", "std::string", /*default=*/"\"hierarchical\"", "hierarchical or independent">,
    Option<"learnBits", "learn-bits", "bool", /*default=*/"false", "learn each tensor's bit-width with gates">,
    Option<"gateLambda", "gate-lambda", "double", /*default=*/"0.0", "L0 weight of the gates' expected bits">,
    Option<"gateInit", "gate-init", "double", /*default=*/"3.0",
           "initial gate logit log_a (open gates: the larger, the rarer a sampled gate falls below 1)">,
    Option<"activationRange", "activation-range", "double", /*default=*/"1.0",
           "initial range [0, r] of the activation grids: alpha = r / (2^bits - 1)">,
    Option<"weightGrid", "weight-grid", "std::string", /*default=*/"\"signed\"",
           "grid of the weights: signed (mid-tread, with 0) or symmetric (mid-rise, no 0: +-alpha/2 at 1 bit)">,
    ListOption<"tensorBits", "tensor-bits", "std::string",
               "bits of single tensors, name:bits (e.g. fc1.weight:2,act3:3), over weight-bits and activation-bits",
               "llvm::cl::MiscFlags::CommaSeparated">,
  ];
}

def BindParams : Pass<"cpq-bind-params", "mlir::ModuleOp"> {
  let summary = "Binds trained values from a safetensors file to the cpq.param ops";
  let description = [{
    Every `cpq.param` of every function gets the tensor of the same name
    from `file` as its value (`init = "constant"`), so later passes
    (`--cpq-assign-bitwidths`, `--cpq-freeze`) can compute with it. The
    tensor must be F32 with the parameter's shape; a missing tensor, another
    dtype or shape, or a damaged file is an error naming the file and the
    parameter. Tensors of the file that are not parameters (optimizer state
    of a checkpoint) are ignored.
  }];
  let constructor = "::cpq::dialect::createBindParamsPass()";
  let dependentDialects = ["::cpq::dialect::CpqDialect"];
  let options = [
    Option<"file", "file", "std::string", /*default=*/"\"\"", "the safetensors file of trained parameters">,
  ];
}

def AssignBitwidths : Pass<"cpq-assign-bitwidths", "mlir::ModuleOp"> {
  let summary = "Replaces learned bit-width gates by the fixed bit-widths they chose";
  let description = [{
    For each `cpq.quantize` with bound `gate_logits` (section 5): the learned
    bit-width is `l = 1 +` the number of consecutive levels from 2 upward
    whose deterministic gate exceeds 0.5. The quantizer becomes a plain
    `l`-bit one on the same points: the `l`-bit sub-grid of a `b`-bit grid
    is the `l`-bit grid of step `alpha * 2^(b - l)`, so alpha (and sigma)
    are replaced by new bound parameters `<alpha>@<l>bit`, scaled by
    `2^(b - l)`. With `report`, a remark on each quantizer gives its gates
    and bit-width.
  }];
  let constructor = "::cpq::dialect::createAssignBitwidthsPass()";
  let dependentDialects = ["::cpq::dialect::CpqDialect"];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false", "emit a remark with each tensor's gates and bit-width">,
  ];
}

def Freeze : Pass<"cpq-freeze", "mlir::ModuleOp"> {
  let summary = "Builds the integer inference function of a trained network";
  let description = [{
    From a network whose parameters hold trained values (`--cpq-bind-params`)
    and whose quantizers have fixed bit-widths (`--cpq-assign-bitwidths`),
    builds `inference(input) -> logits`: activation quantizers become
    `cpq.encode` (integer levels); a conv2d or dense on levels with a
    quantized weight becomes `cpq.pack` + `cpq.qconv2d` / `cpq.qdense` and
    one `cpq.requantize` that applies `alpha_x * alpha_w`, the bias, a
    following batch norm (folded), a following ReLU and the next quantizer;
    maxpool2d and flatten run on levels (a max pooling right after such a
    layer pools its int32 sums before the requantization instead, when every
    channel's scale is positive: the same levels, fewer requantizations);
    other layers run in float on
    `cpq.decode`d levels, with a batch norm after a float convolution folded
    into its weights. Computed scales, biases and folded weights are new
    bound parameters.
  }];
  let constructor = "::cpq::dialect::createFreezePass()";
  let dependentDialects = ["::cpq::dialect::CpqDialect", "::mlir::StandardOpsDialect"];
  let options = [
    Option<"network", "network", "std::string", /*default=*/"\"\"",
           "the network function (default: the module's only one)">,
  ];
}

#endif // CPQ_PASSES_TD
