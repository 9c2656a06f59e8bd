// The example networks: the quantized forms are what --cpq-quantize-network
// makes of the float ones, and every form expands into a training step.

// NO-INPUT-GRAD-NOT: cpq.quantize_grad {{.*}}tensor_id = 0 :

// FP32-LABEL: func @train_step
// FP32-SAME: %arg0: tensor<32x1x5x5xf32> {cpq.init = "he_normal", cpq.name = "conv1.weight", cpq.role = "param"}
// FP32-SAME: {cpq.name = "conv1.weight.adam_m", cpq.role = "state"}
// FP32-SAME: tensor<?x1x28x28xf32> {cpq.name = "input", cpq.role = "input"}
// FP32-SAME: tensor<?xi32> {cpq.name = "labels", cpq.role = "labels"}
// FP32-SAME: i64 {cpq.name = "step", cpq.role = "step"}
// FP32-SAME: i64 {cpq.name = "seed", cpq.role = "seed"}
// FP32-SAME: f32 {cpq.name = "learning_rate", cpq.role = "learning_rate"}
// FP32-SAME: tensor<f32> {cpq.name = "loss", cpq.role = "loss"}, tensor<i32> {cpq.name = "correct", cpq.role = "correct"})
// FP32-NOT: quantize
// FP32: cpq.softmax_cross_entropy_grad
// The first layer's input needs no gradient.
// FP32-NOT: conv2d_grad_input {{.*}}, %arg24,
// FP32-COUNT-8: cpq.adam_update
// FP32-LABEL: func @eval_step

// Weights per channel (signed), activations per tensor (unsigned); each
// quantizer has its own tensor id, shared by its forward and its gradient.
// W2A2-LABEL: func @train_step
// W2A2: cpq.quantize_train {{.*}} {bits = 8 : i64, grid = "unsigned", tensor_id = 0 : i64}
// W2A2: cpq.quantize_train {{.*}} {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed", tensor_id = 1 : i64}
// W2A2: cpq.quantize_train {{.*}} {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned", tensor_id = 2 : i64}
// W2A2: cpq.quantize_grad {{.*}} tensor_id = 7 : i64
// The input quantizer's parameters are fixed: no gradient, no update.
// W2A2-COUNT-22: cpq.adam_update
// W2A2-NOT: cpq.adam_update
// W2A2-LABEL: func @eval_step
// W2A2: cpq.quantize {{.*}} {bits = 8 : i64, grid = "unsigned"}

// W4A4-LABEL: func @train_step
// W4A4: cpq.quantize_train {{.*}} {axis = 0 : i64, bits = 4 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed", tensor_id = 1 : i64}

// Batch norm trains on batch statistics and returns its running ones.
// VGG-LABEL: func @train_step
// VGG-SAME: {cpq.init = "zeros", cpq.name = "stem.bn.mean", cpq.role = "param"}
// VGG: %[[Y:.*]], %[[BM:.*]], %[[BS:.*]], %[[NM:.*]], %[[NV:.*]] = cpq.batch_norm_train
// VGG: cpq.add
// VGG: cpq.batch_norm_grad %{{.*}}, %{{.*}}, %{{.*}}, %[[BM]], %[[BS]]
// VGG: return %{{.*}}, %{{.*}}, %{{.*}}, %[[NM]], %[[NV]],
// VGG-LABEL: func @eval_step
// VGG: cpq.batch_norm %

// VGG-W2A2-LABEL: func @train_step
// VGG-W2A2-COUNT-14: cpq.quantize_train

// Weight decay reaches weights only.
// VGG-SGD-LABEL: func @train_step
// VGG-SGD: cpq.sgd_update {{.*}} {momentum = 9.000000e-01 : f64, weight_decay = 5.000000e-04 : f64} : (tensor<32x1x3x3xf32>
// VGG-SGD: cpq.sgd_update {{.*}} {momentum = 9.000000e-01 : f64, weight_decay = 0.000000e+00 : f64} : (tensor<32xf32>
