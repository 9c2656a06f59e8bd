func @relu_grad_shape_mismatch(%dy: tensor<?x5xf32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 5], expected [?, 4]}}
  %r = cpq.relu_grad %dy, %x : (tensor<?x5xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}
