//===- BindParams.cpp - trained values into cpq.param ops -------------------===//
//
// This file implements --cpq-bind-params: it reads a safetensors file (the
// runtime's reader) and attaches each parameter's trained values to its
// cpq.param op, checking names, dtypes and shapes.
//
//===----------------------------------------------------------------------===//
#include "PassDetail.h"
#include "cpq/runtime/safetensors.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace cpq::dialect;

namespace {

std::string shapeString(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

class BindParamsPass : public BindParamsBase<BindParamsPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (file.empty()) {
      module.emitError("cpq-bind-params needs file=<parameters.safetensors>");
      return signalPassFailure();
    }
    cpq::safetensors::File params;
    std::string error;
    if (!cpq::safetensors::read(file, params, error)) {
      module.emitError(error);
      return signalPassFailure();
    }
    Builder b(module.getContext());
    bool ok = true;
    module.walk([&](ParamOp p) {
      const cpq::safetensors::Tensor *t = params.find(p.name().str());
      auto type = p.getType().cast<RankedTensorType>();
      if (!t) {
        p.emitOpError("parameter \"") << p.name() << "\" is not in " << file;
        ok = false;
        return;
      }
      if (t->dtype != "F32") {
        p.emitOpError("parameter \"") << p.name() << "\" is " << t->dtype << " in " << file << "; it needs F32";
        ok = false;
        return;
      }
      if (llvm::ArrayRef<int64_t>(t->shape) != type.getShape()) {
        p.emitOpError("parameter \"") << p.name() << "\" has shape " << shapeString(t->shape) << " in " << file
                                      << " but " << shapeString(type.getShape()) << " in the network";
        ok = false;
        return;
      }
      std::vector<float> values = t->as_f32();
      p->setAttr("init", b.getStringAttr("constant"));
      p->setAttr("value", DenseElementsAttr::get(type, llvm::makeArrayRef(values)));
    });
    if (!ok) signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> cpq::dialect::createBindParamsPass() { return std::make_unique<BindParamsPass>(); }
