// cpq-inference-pipeline on the example networks with trained-looking
// parameters (Inputs/random_params.py): every quantized conv and dense runs
// on packed weights and integer levels.
// RUN: %python %S/Inputs/random_params.py %examples/lenet5_w2a2.mlir %t.lenet5_w2a2
// RUN: cpq-opt --cpq-inference-pipeline="params=%t.lenet5_w2a2" %examples/lenet5_w2a2.mlir | FileCheck %s --check-prefix=LENET
// RUN: %python %S/Inputs/random_params.py %examples/vgg_small_w4a4.mlir %t.vgg_w4a4
// RUN: cpq-opt --cpq-inference-pipeline="params=%t.vgg_w4a4" %examples/vgg_small_w4a4.mlir | FileCheck %s --check-prefix=VGG
// RUN: not cpq-opt --cpq-inference-pipeline="params=%t.missing" %examples/lenet5_w2a2.mlir 2>&1 | FileCheck %s --check-prefix=MISSING

// LENET-LABEL: func @inference
// LENET: cpq.encode %arg0, {{.*}} {bits = 8 : i64, grid = "unsigned"}
// LENET-COUNT-2: cpq.qconv2d
// LENET-COUNT-2: cpq.qdense
// LENET: %[[LOGITS:.*]] = cpq.requantize {{.*}} -> tensor<?x10xf32>
// LENET-NEXT: return %[[LOGITS]]
// LENET-NOT: cpq.quantize

// Residual additions and the global average pool run in float on decoded levels.
// VGG-LABEL: func @inference
// VGG-COUNT-3: cpq.qconv2d
// VGG: cpq.decode
// VGG: cpq.add
// VGG: cpq.encode
// VGG-COUNT-3: cpq.qconv2d
// VGG: cpq.avgpool2d
// VGG-NOT: cpq.batch_norm

// MISSING: error: {{.*}}.missing: cannot open (No such file or directory)
