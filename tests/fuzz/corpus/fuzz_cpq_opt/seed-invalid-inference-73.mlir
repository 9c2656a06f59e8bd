func @requantize_bias_channels_mismatch(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias has 3 entries but the input has 4 channels}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<4xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}
