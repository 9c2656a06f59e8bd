// cpq.maxpool2d: kernel, input, window attributes and result type.

func @maxpool2d_kernel_missing(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %y = cpq.maxpool2d %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}
