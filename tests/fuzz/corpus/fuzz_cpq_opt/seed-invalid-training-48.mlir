func @dense_grad_weight_rows_mismatch(%dy: tensor<3x5xf32>, %x: tensor<4x12xf32>) {
  // expected-error @+1 {{output_grad has 3 rows but the input has 4}}
  %d = cpq.dense_grad_weight %dy, %x : (tensor<3x5xf32>, tensor<4x12xf32>) -> tensor<5x12xf32>
  return
}
