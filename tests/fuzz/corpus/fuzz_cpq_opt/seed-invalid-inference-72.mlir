func @requantize_scale_channels_mismatch(%acc: tensor<?x4xi32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{scale has 3 entries but the input has 4 channels}}
  %y = cpq.requantize %acc, %s, %s : (tensor<?x4xi32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}
