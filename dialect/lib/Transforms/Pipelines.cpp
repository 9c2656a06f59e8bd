//===- Pipelines.cpp - the named pipelines of cpq-opt -----------------------===//
//
// This file registers the cpq passes and the flows people run end to end:
//   cpq-train-pipeline: network -> train_step and eval_step;
//   cpq-inference-pipeline: network + trained parameters -> inference.
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <iomanip>
#include <limits>
#include <sstream>

using namespace mlir;

namespace {

struct TrainPipelineOptions : public PassPipelineOptions<TrainPipelineOptions> {
  Option<std::string> optimizer{*this, "optimizer", llvm::cl::desc("adam or sgd"), llvm::cl::init("adam")};
  Option<double> weightDecay{*this, "weight-decay", llvm::cl::desc("weight decay on weights"), llvm::cl::init(0.0)};
  Option<double> scaleFloor{*this, "scale-floor",
                            llvm::cl::desc("quantizer alpha and sigma stay at or above this fraction of their initial value"),
                            llvm::cl::init(0.01)};
  Option<double> sigmaFloor{*this, "sigma-floor",
                            llvm::cl::desc("quantizer sigma stays at or above this fraction of its initial value"),
                            llvm::cl::init(1.0)};
  Option<std::string> scaleStep{*this, "scale-step",
                                llvm::cl::desc("steps of quantizer alpha and sigma: absolute or relative (log space)"),
                                llvm::cl::init("absolute")};
  Option<double> gateLrScale{*this, "gate-lr-scale",
                             llvm::cl::desc("learning rate of learned bit-width gates, a multiple of the step's"),
                             llvm::cl::init(1.0)};
};

struct InferencePipelineOptions : public PassPipelineOptions<InferencePipelineOptions> {
  Option<std::string> params{*this, "params", llvm::cl::desc("the safetensors file of trained parameters")};
};

} // namespace

void cpq::dialect::registerPassesAndPipelines() {
  registerCpqPasses();
  PassPipelineRegistration<TrainPipelineOptions>(
      "cpq-train-pipeline",
      "network -> train_step and eval_step: canonicalize, expand training, common subexpressions",
      [](OpPassManager &pm, const TrainPipelineOptions &options) {
        pm.addPass(createCanonicalizerPass());
        std::ostringstream spec;
        spec << std::setprecision(std::numeric_limits<double>::max_digits10); // numbers reach the pass exactly
        spec << "cpq-expand-training{optimizer=" << options.optimizer.getValue()
             << " weight-decay=" << options.weightDecay.getValue() << " scale-floor=" << options.scaleFloor.getValue()
             << " sigma-floor=" << options.sigmaFloor.getValue() << " scale-step=" << options.scaleStep.getValue()
             << " gate-lr-scale=" << options.gateLrScale.getValue() << "}";
        if (failed(parsePassPipeline(spec.str(), pm))) llvm::report_fatal_error("bad cpq-train-pipeline options");
        pm.addPass(createCSEPass());
      });
  PassPipelineRegistration<InferencePipelineOptions>(
      "cpq-inference-pipeline",
      "network + trained parameters -> inference: bind parameters, fix learned bit-widths, freeze, canonicalize",
      [](OpPassManager &pm, const InferencePipelineOptions &options) {
        if (failed(parsePassPipeline("cpq-bind-params{file=" + options.params.getValue() + "}", pm)))
          llvm::report_fatal_error("bad cpq-inference-pipeline options");
        pm.addPass(createAssignBitwidthsPass());
        pm.addPass(createFreezePass());
        pm.addPass(createCanonicalizerPass());
        pm.addPass(createCSEPass());
      });
}
