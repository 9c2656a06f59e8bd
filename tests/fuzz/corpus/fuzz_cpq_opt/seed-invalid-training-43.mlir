func @dense_grad_input_features_mismatch(%dy: tensor<?x7xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{output_grad has 7 features but the weight has 5 outputs}}
  %d = cpq.dense_grad_input %dy, %w : (tensor<?x7xf32>, tensor<5x12xf32>) -> tensor<?x12xf32>
  return
}
