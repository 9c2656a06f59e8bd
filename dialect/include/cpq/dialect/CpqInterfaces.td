//===- CpqInterfaces.td - interfaces of the cpq dialect ----*- tablegen -*-===//
//
// This file declares the interface through which --cpq-expand-training
// differentiates a network: each layer op says how it runs in a training step
// (DropBits masks and gates drawn, batch statistics used) and how it maps the
// gradients of its results to the gradients of its operands.
//
//===----------------------------------------------------------------------===//
#ifndef CPQ_INTERFACES_TD
#define CPQ_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Cpq_DifferentiableOpInterface : OpInterface<"DifferentiableOp"> {
  let cppNamespace = "::cpq::dialect";
  let description = [{
    A layer that reverse-mode differentiation can go through. The training
    expansion walks the network forward calling `buildTrainingForward`, then
    backward calling `buildGradient`; both find the training-step values of the
    network's values in the `TrainingContext`. The Hessian expansion walks it
    backward calling `buildCurvature`.
  }];
  let methods = [
    InterfaceMethod<[{
        Emits the op's training-step form at the builder's insertion point and
        maps each of its results in `ctx.values`. The default clones the op.
      }],
      "::mlir::LogicalResult", "buildTrainingForward",
      (ins "::mlir::OpBuilder &":$builder, "::cpq::dialect::TrainingContext &":$ctx),
      /*methodBody=*/[{}],
      /*defaultImplementation=*/[{
        builder.clone(*$_op.getOperation(), ctx.values);
        return ::mlir::success();
      }]>,
    InterfaceMethod<[{
        Emits the gradients of the op's operands given those of its results
        (`resultGrads[i]` is null when result i does not reach the loss).
        Fills `operandGrads` with one value per operand, null where the
        operand has no gradient (integer data, shapes).
      }],
      "::mlir::LogicalResult", "buildGradient",
      (ins "::mlir::OpBuilder &":$builder, "::cpq::dialect::TrainingContext &":$ctx,
           "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
    InterfaceMethod<[{
        Emits the second-order backward pass of the op (Becker and LeCun's
        diagonal Gauss-Newton recursion, cpq-method.md section 6): given
        `resultCurvatures`, the diagonal of the loss's Hessian with respect to
        each result (null where a result does not reach the loss), fills
        `operandCurvatures` with one value per operand, the diagonal with
        respect to that operand with off-diagonal terms dropped (null where
        the operand has none). The ops of the network function are mapped in
        `ctx.values`. The default refuses: the op has no second-order pass.
      }],
      "::mlir::LogicalResult", "buildCurvature",
      (ins "::mlir::OpBuilder &":$builder, "::cpq::dialect::TrainingContext &":$ctx,
           "::llvm::ArrayRef<::mlir::Value>":$resultCurvatures,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandCurvatures),
      /*methodBody=*/[{}],
      /*defaultImplementation=*/[{
        return $_op.emitOpError("has no second-order backward pass (--cpq-expand-hessian supports conv2d, dense, "
                                "relu, maxpool2d, flatten and add)");
      }]>,
  ];
}

#endif // CPQ_INTERFACES_TD
