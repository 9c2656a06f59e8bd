// cpq.avgpool2d: kernel, input and window attributes.

func @avgpool2d_kernel_missing(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %y = cpq.avgpool2d %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}
