//===- CpqOps.td - ops of the cpq dialect ------------------*- tablegen -*-===//
#ifndef CPQ_OPS_TD
#define CPQ_OPS_TD

include "cpq/dialect/CpqDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Cpq_ReluOp : Cpq_Op<"relu", [NoSideEffect, SameOperandsAndResultType]> {
  let summary = "rectified linear unit, max(x, 0) element-wise";
  let description = [{
    Example:

    ```mlir
    %y = cpq.relu %x : tensor<?x32x28x28xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

#endif // CPQ_OPS_TD
