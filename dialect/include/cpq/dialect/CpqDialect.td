//===- CpqDialect.td - the cpq dialect ---------------------*- tablegen -*-===//
//
// The dialect in which networks and their CPQ quantizers are written.
//
//===----------------------------------------------------------------------===//
#ifndef CPQ_DIALECT_TD
#define CPQ_DIALECT_TD

include "mlir/IR/OpBase.td"

def Cpq_Dialect : Dialect {
  let name = "cpq";
  let summary = "Networks quantized with Cluster-Promoting Quantization";
  let description = [{
    Layers (NCHW float32, dynamic batch), their parameters, and the CPQ
    quantizer; later the training and inference ops the passes emit.
  }];
  let cppNamespace = "::cpq::dialect";
}

// Every op's checks: verifyOp(<Op>), declared in CpqDialect.h.
class Cpq_Op<string mnemonic, list<Trait> traits = []> : Op<Cpq_Dialect, mnemonic, traits> {
  let verifier = [{ return ::cpq::dialect::verifyOp(*this); }];
}

#endif // CPQ_DIALECT_TD
