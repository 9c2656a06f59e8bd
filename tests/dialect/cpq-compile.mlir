// cpq-compile: a network's train_step to a library, header, shared object and
// manifest; every kind of bad input is one message and exit code 1.
// RUN: rm -rf %t && mkdir -p %t
// RUN: cpq-compile %s --function train_step --pipeline=cpq-train-pipeline -o %t/tiny --target x86-64-linux-avx2-fma-f16c-sse41 --target x86-64-linux --stmt
// RUN: test -s %t/tiny.a && test -s %t/tiny.so && test -s %t/tiny.stmt
// RUN: FileCheck %s --check-prefix=HEADER < %t/tiny.h
// RUN: FileCheck %s --check-prefix=MANIFEST < %t/tiny.json
// RUN: nm -D %t/tiny.so | FileCheck %s --check-prefix=SYMBOLS
// RUN: ls %t | FileCheck %s --check-prefix=NO-TEMPORARIES

// Learned bit-widths: the gates are drawn by an extern the .so carries.
// RUN: cpq-opt --cpq-quantize-network="weight-bits=3 activation-bits=3 learn-bits=true gate-lambda=1e-4" %s -o %t/gated.mlir
// RUN: cpq-compile %t/gated.mlir --function train_step --pipeline=cpq-train-pipeline -o %t/gated
// RUN: FileCheck %s --check-prefix=GATED < %t/gated.json
// RUN: nm -D %t/gated.so | FileCheck %s --check-prefix=GATED-SYMBOLS

// The step as three pipelines and one entry point: the same header entry and manifest.
// RUN: cpq-compile %s --function train_step --pipeline=cpq-train-pipeline -o %t/split --split 3
// RUN: FileCheck %s --check-prefix=SPLIT-HEADER < %t/split.h
// RUN: sed -e 's/"function": "split"/"function": "tiny"/' %t/split.json > %t/split-as-tiny.json
// RUN: cpq-compile %s --function train_step --pipeline=cpq-train-pipeline -o %t/tiny1 --name tiny
// RUN: cmp %t/split-as-tiny.json %t/tiny1.json
// RUN: nm -D %t/split.so | FileCheck %s --check-prefix=SPLIT-SYMBOLS
// RUN: cpq-compile %s --function train_step --pipeline=cpq-train-pipeline -o %t/x --split -1 2> %t/split-negative.err; test $? -eq 1 && FileCheck %s --check-prefix=SPLIT-NEGATIVE < %t/split-negative.err
// RUN: cpq-compile %s --function train_step --pipeline=cpq-train-pipeline -o %t/x --split 2 --schedule Li2018 2> %t/split-auto.err; test $? -eq 1 && FileCheck %s --check-prefix=SPLIT-AUTOSCHEDULER < %t/split-auto.err
// RUN: cpq-compile %s --function train_step --pipeline=cpq-train-pipeline -o %t/x --split 2 --target host-opencl 2> %t/split-gpu.err; test $? -eq 1 && FileCheck %s --check-prefix=SPLIT-GPU < %t/split-gpu.err
// RUN: cpq-compile %s --function tiny -o %t/x --split 5 2> %t/split-many.err; test $? -eq 1 && FileCheck %s --check-prefix=SPLIT-MANY < %t/split-many.err
// RUN: sed -e 's/"b"/"cpq.cut0"/' %s > %t/cut-named.mlir
// RUN: cpq-compile %t/cut-named.mlir --function tiny -o %t/x --split 2 2> %t/split-name.err; test $? -eq 1 && FileCheck %s --check-prefix=SPLIT-NAME < %t/split-name.err

// RUN: cpq-compile %s --function nope -o %t/x 2> %t/nofunction.err; test $? -eq 1 && FileCheck %s --check-prefix=NO-FUNCTION < %t/nofunction.err
// RUN: cpq-compile %s --function tiny -o %t/x --target x86-64-linux-warp9 2> %t/target.err; test $? -eq 1 && FileCheck %s --check-prefix=TARGET < %t/target.err
// RUN: cpq-compile %s --function tiny -o %t/x --target arm-64-linux 2> %t/family.err; test $? -eq 1 && FileCheck %s --check-prefix=FAMILY < %t/family.err
// RUN: cpq-compile %s --function tiny -o %t/x --target host-metal 2> %t/gpu-api.err; test $? -eq 1 && FileCheck %s --check-prefix=GPU-API < %t/gpu-api.err
// RUN: cpq-compile %s --function tiny -o %t/x --schedule Fast 2> %t/schedule.err; test $? -eq 1 && FileCheck %s --check-prefix=SCHEDULE < %t/schedule.err
// RUN: cpq-compile %s --function tiny -o %t/x --packed-products vnni 2> %t/products.err; test $? -eq 1 && FileCheck %s --check-prefix=PRODUCTS < %t/products.err
// RUN: cpq-compile %s --function tiny -o %t/x --target host-opencl --packed-products qgemm 2> %t/gpu-products.err; test $? -eq 1 && FileCheck %s --check-prefix=GPU-PRODUCTS < %t/gpu-products.err
// RUN: cpq-compile %s --function tiny --pipeline=no-such-pass -o %t/x 2> %t/pipeline.err; test $? -eq 1 && FileCheck %s --check-prefix=PIPELINE < %t/pipeline.err
// RUN: cpq-compile %s --function tiny -o %t/no-such-folder/x 2> %t/folder.err; test $? -eq 1 && FileCheck %s --check-prefix=FOLDER < %t/folder.err
// RUN: printf 'func @f( {' > %t/broken.mlir
// RUN: cpq-compile %t/broken.mlir --function f -o %t/x 2> %t/broken.err; test $? -eq 1 && FileCheck %s --check-prefix=BROKEN < %t/broken.err
// RUN: cpq-compile %t/missing.mlir --function f -o %t/x 2> %t/missing.err; test $? -eq 1 && FileCheck %s --check-prefix=MISSING < %t/missing.err
// RUN: cpq-compile %s --function tiny -o %t/no/such/dir/x 2> %t/dir.err; test $? -eq 1 && FileCheck %s --check-prefix=DIR < %t/dir.err
// RUN: cpq-compile %S/Inputs/colliding_names.mlir --function train_step --pipeline=cpq-train-pipeline -o %t/x 2> %t/collide.err; test $? -eq 1 && FileCheck %s --check-prefix=COLLIDE < %t/collide.err
// RUN: ls %t | FileCheck %s --check-prefix=NOTHING-LEFT

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
// SPLIT-HEADER: int split_part0(
// SPLIT-HEADER: int split_part2(
// SPLIT-HEADER: int split(struct halide_buffer_t *_w_buffer, struct halide_buffer_t *_b_buffer, struct halide_buffer_t *_w_adam_m_buffer
// SPLIT-HEADER-SAME: int64_t _step, int64_t _seed, float _learning_rate, struct halide_buffer_t *_w_out_buffer
// SPLIT-HEADER-SAME: struct halide_buffer_t *_loss_buffer, struct halide_buffer_t *_correct_buffer);
// SPLIT-SYMBOLS: T split
// SPLIT-SYMBOLS: T split_argv
// SPLIT-SYMBOLS: T split_metadata
// SPLIT-NEGATIVE: cpq-compile: error: --split must be 0 (automatic) or a number of pipelines, got -1
// SPLIT-AUTOSCHEDULER: cpq-compile: error: --split 2 needs the hand schedule, no --model and no timed stages (schedule files and autoschedulers name the stages of one pipeline)
// SPLIT-GPU: cpq-compile: error: --split 2 needs the hand schedule, no --model and no timed stages (a GPU target's device code is one module)
// SPLIT-MANY: cpq-compile: error: compiling 'tiny' failed: function 'tiny' has 3 ops: it cannot be split into 5 parts
// SPLIT-NAME: cpq-compile: error: compiling 'tiny' failed: {{.*}}prefix 'cpq_cut'{{.*}}rename it, or compile one pipeline (--split 1)
// GATED: {"name":"w_gates","tensor":"w.gates","role":"param","direction":"input","kind":"buffer","type":"float32","shape":[2],"init":{"kind":"constant","values":[3.0]}}
// GATED: "quantizers": [
// GATED-NEXT: {"tensor":"input","kind":"input","bits":8,"elements":5},
// GATED-NEXT: {"tensor":"w","kind":"weight","bits":3,"elements":15,"gate":"w.gates"}
// GATED: "externs": [{{.*}}"cpq_hard_concrete_gate"
// GATED-SYMBOLS: T cpq_hard_concrete_gate
// NO-FUNCTION: cpq-compile: error: {{.*}}cpq-compile.mlir: no function 'nope'; it has: tiny
// TARGET: cpq-compile: error: not a Halide target: 'x86-64-linux-warp9'
// FOLDER: cpq-compile: error: -o {{.*}}/no-such-folder/x: the folder '{{.*}}/no-such-folder' does not exist
// FAMILY: cpq-compile: error: compiling 'tiny' failed: no hand schedules for the target arm-64-linux (the families are: x86, gpu); use an autoscheduler, or add a family under schedules/
// GPU-API: cpq-compile: error: compiling 'tiny' failed: no hand schedules for the GPU API of {{.*}}metal{{.*}} (the GPU family covers opencl and cuda)
// SCHEDULE: cpq-compile: error: unknown schedule 'Fast' (hand, Adams2019, Li2018, Mullapudi2016, or a schedule file; no such file)
// PRODUCTS: cpq-compile: error: --packed-products must be qgemm or halide, got 'vnni'
// GPU-PRODUCTS: cpq-compile: error: --packed-products qgemm is the CPU's extern product; target 'host-opencl' computes packed products on the device (halide)
// PIPELINE: cpq-compile: error: bad pipeline 'no-such-pass'
// BROKEN: broken.mlir:1:10: error:
// BROKEN: cpq-compile: error: {{.*}}broken.mlir: not a valid cpq module
// MISSING: cpq-compile: error: {{.*}}missing.mlir: not a valid cpq module
// DIR: cpq-compile: error:
// COLLIDE: error: cannot lower to Halide: 'a.b' and 'a_b' both become the C identifier 'a_b' of a kernel argument; rename one of them
// NOTHING-LEFT-NOT: tmp
