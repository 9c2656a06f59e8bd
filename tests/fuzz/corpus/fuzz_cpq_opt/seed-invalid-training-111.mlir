func @flatten_grad_output_grad_shape_mismatch(%dy: tensor<?x10xf32>, %x: tensor<?x3x2x2xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 10], expected [?, 12]}}
  %r = cpq.flatten_grad %dy, %x : (tensor<?x10xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  return
}
