// Verifier errors of the quantizer ops: quantize, quantize_train and quantize_grad.
// RUN: cpq-opt %s -split-input-file -verify-diagnostics

// cpq.quantize: attributes, input, and the quantizer's options and scales.

func @quantize_grid_missing(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %q = cpq.quantize %w, %a, %a {bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_bits_missing(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %q = cpq.quantize %w, %a, %a {grid = "signed"} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_grid_unknown(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %q = cpq.quantize %w, %a, %a {grid = "ternary", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_dropbits_unknown(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'dropbits' failed to satisfy constraint: DropBits mode: "hierarchical" or "independent"}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, dropbits = "random", dropbits_p = 0.5} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_input_unranked(%x: tensor<*xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<*xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<*xf32>
  return
}

// -----

func @quantize_input_not_f32(%x: tensor<4x3x3x3xf16>, %a: tensor<1xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf16>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf16>
  return
}

// -----

func @quantize_bits_above_8(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 9} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_bits_below_1(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_dropbits_p_out_of_range(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got 1}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, dropbits_p = 1.0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_dropbits_p_negative(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got -0.25}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2, dropbits_p = -0.25} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_dropbits_on_symmetric(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{DropBits need nested sub-grids; the symmetric grid has none}}
  %q = cpq.quantize %w, %a, %a {grid = "symmetric", bits = 2, dropbits_p = 0.3} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_gates_on_symmetric(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need nested sub-grids; the symmetric grid has none}}
  %q = cpq.quantize %w, %a, %a, %a {grid = "symmetric", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_dropbits_one_bit(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{DropBits need at least 2 bits: a 1-bit grid has no level to drop}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 1, dropbits_p = 0.3} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_gates_one_bit(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %g: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need at least 2 bits: a 1-bit grid has no level to drop}}
  %q = cpq.quantize %x, %a, %s, %g {grid = "unsigned", bits = 1} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_gate_lambda_negative(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{gate_lambda must be non-negative, got -1}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, gate_lambda = -1.0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_alpha_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<*xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<*xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_alpha_rank(%w: tensor<4x3x3x3xf32>, %a: tensor<1x1xf32>) {
  // expected-error @+1 {{alpha must have rank 1, got [1, 1]}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_sigma_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<*xf32>) {
  // expected-error @+1 {{sigma must be a ranked tensor}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<*xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_sigma_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{sigma must have rank 1, got []}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<f32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_axis_outside_rank(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{axis 4 is outside the input's rank 4}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, axis = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_axis_negative(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{axis -1 is outside the input's rank 4}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2, axis = -1} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_axis_dynamic(%x: tensor<?x3x8x8xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{per-channel axis 0 has a dynamic size; quantize per tensor}}
  %q = cpq.quantize %x, %a, %a {grid = "unsigned", bits = 2, axis = 0} : (tensor<?x3x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @quantize_alpha_per_channel_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{alpha has 1 entries but axis 0 of the input has 4 channels}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, axis = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_alpha_per_tensor_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{alpha has 4 entries; a per-tensor quantizer takes one (set axis for per-channel)}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_sigma_alpha_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{sigma has shape [4] but alpha has [1]}}
  %q = cpq.quantize %w, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_gate_logits_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %g: tensor<*xf32>) {
  // expected-error @+1 {{gate_logits must be a ranked tensor}}
  %q = cpq.quantize %x, %a, %s, %g {grid = "signed", bits = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<*xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_gate_logits_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %g: tensor<3x1xf32>) {
  // expected-error @+1 {{gate_logits must have rank 1, got [3, 1]}}
  %q = cpq.quantize %x, %a, %s, %g {grid = "signed", bits = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<3x1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_gate_logits_count(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %g: tensor<2xf32>) {
  // expected-error @+1 {{gate_logits has 2 entries; a 4-bit quantizer has one per level 2..4, 3}}
  %q = cpq.quantize %w, %a, %a, %g {grid = "signed", bits = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

// cpq.quantize_train: attributes, input, the quantizer's options and scales, tensor_id.

func @quantize_train_grid_missing(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_bits_missing(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_grid_unknown(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "ternary", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_dropbits_unknown(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{attribute 'dropbits' failed to satisfy constraint: DropBits mode: "hierarchical" or "independent"}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, dropbits = "random", dropbits_p = 0.5, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_tensor_id_missing(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'tensor_id'}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_input_unranked(%x: tensor<*xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<*xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<*xf32>
  return
}

// -----

func @quantize_train_bits_above_8(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 9, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_bits_below_1(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_dropbits_p_out_of_range(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got 1}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, dropbits_p = 1.0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_dropbits_p_negative(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got -0.25}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, dropbits_p = -0.25, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_dropbits_on_symmetric(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{DropBits need nested sub-grids; the symmetric grid has none (use signed or unsigned)}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "symmetric", bits = 2, dropbits_p = 0.3, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_gates_on_symmetric(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need nested sub-grids; the symmetric grid has none (use signed or unsigned)}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n, %g {grid = "symmetric", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_dropbits_one_bit(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{DropBits need at least 2 bits: a 1-bit grid has no level to drop}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 1, dropbits_p = 0.3, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_gates_one_bit(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need at least 2 bits: a 1-bit grid has no level to drop}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n, %g {grid = "unsigned", bits = 1, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_gate_lambda_negative(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{gate_lambda must be non-negative, got -1}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, gate_lambda = -1.0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_alpha_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<*xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<*xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_alpha_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1x1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{alpha must have rank 1, got [1, 1]}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1x1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_sigma_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<*xf32>, %n: i64) {
  // expected-error @+1 {{sigma must be a ranked tensor}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<*xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_sigma_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<f32>, %n: i64) {
  // expected-error @+1 {{sigma must have rank 1, got []}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<f32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_axis_outside_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{axis 4 is outside the input's rank 4}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_axis_negative(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{axis -1 is outside the input's rank 4}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = -1, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_axis_dynamic(%x: tensor<?x3x8x8xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{per-channel axis 0 has a dynamic size; quantize per tensor}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "unsigned", bits = 2, axis = 0, tensor_id = 0} : (tensor<?x3x8x8xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @quantize_train_alpha_per_channel_mismatch(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{alpha has 1 entries but axis 0 of the input has 4 channels}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = 0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_alpha_per_tensor_mismatch(%x: tensor<4x3x3x3xf32>, %a: tensor<4xf32>, %s: tensor<4xf32>, %n: i64) {
  // expected-error @+1 {{alpha has 4 entries; a per-tensor quantizer takes one (set axis for per-channel)}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_sigma_alpha_mismatch(%x: tensor<4x3x3x3xf32>, %a: tensor<4xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{sigma has shape [1] but alpha has [4]}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = 0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_gate_logits_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<*xf32>) {
  // expected-error @+1 {{gate_logits must be a ranked tensor}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<*xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_gate_logits_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<3x1xf32>) {
  // expected-error @+1 {{gate_logits must have rank 1, got [3, 1]}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<3x1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_gate_logits_count(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<2xf32>) {
  // expected-error @+1 {{gate_logits has 2 entries; a 4-bit quantizer has one per level 2..4, 3}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<2xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @quantize_train_tensor_id_negative(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: i64) {
  // expected-error @+1 {{tensor_id must be a non-negative integer}}
  %q = cpq.quantize_train %w, %a, %a, %s, %s {grid = "signed", bits = 2, tensor_id = -1} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

// cpq.quantize_grad: attributes, input and output_grad, the quantizer's options and scales, tensor_id.

func @quantize_grad_grid_missing(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_bits_missing(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_grid_unknown(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "ternary", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_dropbits_unknown(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{attribute 'dropbits' failed to satisfy constraint: DropBits mode: "hierarchical" or "independent"}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, dropbits = "random", dropbits_p = 0.5, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_tensor_id_missing(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'tensor_id'}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_input_unranked(%dy: tensor<4x3x3x3xf32>, %x: tensor<*xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<*xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<*xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<*xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_output_grad_shape_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %dy: tensor<4x3x3x1xf32>, %s: i64) {
  // expected-error @+1 {{output_grad has shape [4, 3, 3, 1], expected [4, 3, 3, 3]}}
  %d:3 = cpq.quantize_grad %dy, %w, %a, %a, %s, %s {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x1xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_bits_above_8(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 9, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_bits_below_1(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_dropbits_p_out_of_range(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got 1}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, dropbits_p = 1.0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_dropbits_p_negative(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got -0.25}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, dropbits_p = -0.25, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_dropbits_on_symmetric(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{DropBits need nested sub-grids; the symmetric grid has none (use signed or unsigned)}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "symmetric", bits = 2, dropbits_p = 0.3, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_gates_on_symmetric(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need nested sub-grids; the symmetric grid has none (use signed or unsigned)}}
  %d:4 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n, %g {grid = "symmetric", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<1xf32>) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_dropbits_one_bit(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{DropBits need at least 2 bits: a 1-bit grid has no level to drop}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 1, dropbits_p = 0.3, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_gates_one_bit(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need at least 2 bits: a 1-bit grid has no level to drop}}
  %d:4 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n, %g {grid = "unsigned", bits = 1, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<1xf32>) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_gate_lambda_negative(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{gate_lambda must be non-negative, got -1}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, gate_lambda = -1.0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_alpha_unranked(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<*xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<*xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<*xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_alpha_rank(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1x1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{alpha must have rank 1, got [1, 1]}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1x1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1x1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_sigma_unranked(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<*xf32>, %n: i64) {
  // expected-error @+1 {{sigma must be a ranked tensor}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<*xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<*xf32>)
  return
}

// -----

func @quantize_grad_sigma_rank(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<f32>, %n: i64) {
  // expected-error @+1 {{sigma must have rank 1, got []}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<f32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<f32>)
  return
}

// -----

func @quantize_grad_axis_outside_rank(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{axis 4 is outside the input's rank 4}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_axis_negative(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{axis -1 is outside the input's rank 4}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = -1, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_axis_dynamic(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{per-channel axis 0 has a dynamic size; quantize per tensor}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "unsigned", bits = 2, axis = 0, tensor_id = 0} : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<?x3x8x8xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_alpha_per_channel_mismatch(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{alpha has 1 entries but axis 0 of the input has 4 channels}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = 0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_alpha_per_tensor_mismatch(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<4xf32>, %s: tensor<4xf32>, %n: i64) {
  // expected-error @+1 {{alpha has 4 entries; a per-tensor quantizer takes one (set axis for per-channel)}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @quantize_grad_sigma_alpha_mismatch(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<4xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{sigma has shape [1] but alpha has [4]}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = 0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_grad_gate_logits_unranked(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<*xf32>) {
  // expected-error @+1 {{gate_logits must be a ranked tensor}}
  %d:4 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<*xf32>) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<*xf32>)
  return
}

// -----

func @quantize_grad_gate_logits_rank(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<3x1xf32>) {
  // expected-error @+1 {{gate_logits must have rank 1, got [3, 1]}}
  %d:4 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<3x1xf32>) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<3x1xf32>)
  return
}

// -----

func @quantize_grad_gate_logits_count(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<2xf32>) {
  // expected-error @+1 {{gate_logits has 2 entries; a 4-bit quantizer has one per level 2..4, 3}}
  %d:4 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<2xf32>) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>)
  return
}

// -----

func @quantize_grad_tensor_id_negative(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{tensor_id must be a non-negative integer}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = -1} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @quantize_alpha_dynamic(%x: tensor<?x4xf32>, %a: tensor<?xf32>, %s: tensor<?xf32>) {
  // expected-error @+1 {{alpha needs a static shape (one entry, or one per channel)}}
  %y = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<?x4xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @quantize_gate_logits_dynamic(%x: tensor<?x4xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %g: tensor<?xf32>) {
  // expected-error @+1 {{gate_logits needs a static shape (one entry per level 2..3)}}
  %y = cpq.quantize %x, %a, %s, %g {grid = "signed", bits = 3} : (tensor<?x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<?xf32>) -> tensor<?x4xf32>
  return
}
