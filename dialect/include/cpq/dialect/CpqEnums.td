//===- CpqEnums.td - closed sets of the cpq dialect's attributes -*- tablegen -*-===//
//
// This file defines the attributes of the cpq ops that take one of a few
// words: grid kinds (cpq-method.md section 1), DropBits modes (section 4)
// and parameter initialisations. They are string attributes in the IR
// (`grid = "signed"`), checked against their cases by the generated
// verifiers and read as C++ enums (::cpq::dialect::GridKind, ...) through
// the generated accessors; CpqDialect.h maps them to the kernel core's.
//
//===----------------------------------------------------------------------===//
#ifndef CPQ_ENUMS_TD
#define CPQ_ENUMS_TD

include "mlir/IR/OpBase.td"

def Cpq_GridSigned : StrEnumAttrCase<"Signed", 0, "signed">;
def Cpq_GridUnsigned : StrEnumAttrCase<"Unsigned", 1, "unsigned">;
def Cpq_GridSymmetric : StrEnumAttrCase<"Symmetric", 2, "symmetric">;
def Cpq_GridKindAttr : StrEnumAttr<"GridKind",
    "grid kind: \"signed\", \"unsigned\" or \"symmetric\"",
    [Cpq_GridSigned, Cpq_GridUnsigned, Cpq_GridSymmetric]> {
  let cppNamespace = "::cpq::dialect";
  let genSpecializedAttr = 1;
}

def Cpq_DropBitsHierarchical : StrEnumAttrCase<"Hierarchical", 0, "hierarchical">;
def Cpq_DropBitsIndependent : StrEnumAttrCase<"Independent", 1, "independent">;
def Cpq_DropBitsModeAttr : StrEnumAttr<"DropBitsMode",
    "DropBits mode: \"hierarchical\" or \"independent\"",
    [Cpq_DropBitsHierarchical, Cpq_DropBitsIndependent]> {
  let cppNamespace = "::cpq::dialect";
  let genSpecializedAttr = 1;
}

def Cpq_InitHeNormal : StrEnumAttrCase<"HeNormal", 0, "he_normal">;
def Cpq_InitGlorotUniform : StrEnumAttrCase<"GlorotUniform", 1, "glorot_uniform">;
def Cpq_InitZeros : StrEnumAttrCase<"Zeros", 2, "zeros">;
def Cpq_InitOnes : StrEnumAttrCase<"Ones", 3, "ones">;
def Cpq_InitConstant : StrEnumAttrCase<"Constant", 4, "constant">;
def Cpq_InitKindAttr : StrEnumAttr<"InitKind",
    "init: \"he_normal\", \"glorot_uniform\", \"zeros\", \"ones\" or \"constant\"",
    [Cpq_InitHeNormal, Cpq_InitGlorotUniform, Cpq_InitZeros, Cpq_InitOnes, Cpq_InitConstant]> {
  let cppNamespace = "::cpq::dialect";
  let genSpecializedAttr = 1;
}

#endif // CPQ_ENUMS_TD
