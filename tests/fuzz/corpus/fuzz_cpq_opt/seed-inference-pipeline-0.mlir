// cpq-inference-pipeline on the example networks with trained-looking
// parameters (Inputs/random_params.py): every quantized conv and dense runs
// on packed weights and integer levels.

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

// MISSING: error: {{.*}}.missing: cannot open: No such file or directory
