// cpq.maxpool2d_grad: kernel, operands, window attributes and output_grad.

func @maxpool2d_grad_kernel_missing(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %r = cpq.maxpool2d_grad %dy, %x : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
