// cpq-compile: a network's train_step to a library, header, shared object and
// manifest; every kind of bad input is one message and exit code 1.

// Learned bit-widths: the gates are drawn by an extern the .so carries.


func @tiny(%x: tensor<?x5xf32>) -> tensor<?x3xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<3x5xf32>
  %b = cpq.param "b" {init = "zeros"} : tensor<3xf32>
  %y = cpq.dense %x, %w, %b : (tensor<?x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// HEADER: int tiny(struct halide_buffer_t *_w_buffer, struct halide_buffer_t *_b_buffer, struct halide_buffer_t *_w_adam_m_buffer
// HEADER-SAME: int64_t _step, int64_t _seed, float _learning_rate, struct halide_buffer_t *_w_out_buffer
// HEADER-SAME: struct halide_buffer_t *_loss_buffer, struct halide_buffer_t *_correct_buffer);
// MANIFEST: "function": "tiny",
// MANIFEST: {"name":"w","tensor":"w","role":"param","direction":"input","kind":"buffer","type":"float32","shape":[3,5],"init":{"kind":"he_normal"}}
// MANIFEST: {"name":"w_adam_m","tensor":"w.adam_m","role":"state","direction":"input","kind":"buffer","type":"float32","shape":[3,5]}
// MANIFEST: {"name":"input","tensor":"input","role":"input","direction":"input","kind":"buffer","type":"float32","shape":[null,5]}
// MANIFEST: {"name":"labels","tensor":"labels","role":"labels","direction":"input","kind":"buffer","type":"int32","shape":[null]}
// MANIFEST: {"name":"learning_rate","tensor":"learning_rate","role":"learning_rate","direction":"input","kind":"scalar","type":"float32","shape":[]}
// MANIFEST: {"name":"w_out","tensor":"w","role":"param","direction":"output","kind":"buffer","type":"float32","shape":[3,5],"updates":"w"}
// MANIFEST: {"name":"w_adam_m_out","tensor":"w.adam_m","role":"state","direction":"output","kind":"buffer","type":"float32","shape":[3,5],"updates":"w_adam_m"}
// MANIFEST: {"name":"loss","tensor":"loss","role":"loss","direction":"output","kind":"buffer","type":"float32","shape":[]}
// MANIFEST: "quantizers": []
// SYMBOLS: T tiny
// SYMBOLS: T tiny_argv
// SYMBOLS: T tiny_metadata
// NO-TEMPORARIES-NOT: tmp
// GATED: {"name":"w_gates","tensor":"w.gates","role":"param","direction":"input","kind":"buffer","type":"float32","shape":[2],"init":{"kind":"constant","values":[3.0]}}
// GATED: "quantizers": [
// GATED-NEXT: {"tensor":"input","kind":"input","bits":8,"elements":5},
// GATED-NEXT: {"tensor":"w","kind":"weight","bits":3,"elements":15,"gate":"w.gates"}
// GATED: "externs": [{{.*}}"cpq_hard_concrete_gate"
// GATED-SYMBOLS: T cpq_hard_concrete_gate
// NO-FUNCTION: cpq-compile: error: {{.*}}cpq-compile.mlir: no function 'nope'; it has: tiny
// TARGET: cpq-compile: error: not a Halide target: 'x86-64-linux-warp9'
// FAMILY: cpq-compile: error: compiling 'tiny' failed: no hand schedules for the target arm-64-linux (the families are: x86); use an autoscheduler, or add a family under schedules/
// SCHEDULE: cpq-compile: error: unknown schedule 'Fast' (hand, Adams2019, Li2018, Mullapudi2016, or a schedule file; no such file)
// PRODUCTS: cpq-compile: error: --packed-products must be qgemm or halide, got 'vnni'
// PIPELINE: cpq-compile: error: bad pipeline 'no-such-pass'
// BROKEN: broken.mlir:1:10: error:
// BROKEN: cpq-compile: error: {{.*}}broken.mlir: not a valid cpq module
// MISSING: cpq-compile: error: {{.*}}missing.mlir: not a valid cpq module
// DIR: cpq-compile: error:
// COLLIDE: error: cannot lower to Halide: 'a.b' and 'a_b' both become the C identifier 'a_b' of a kernel argument; rename one of them
// NOTHING-LEFT-NOT: tmp
