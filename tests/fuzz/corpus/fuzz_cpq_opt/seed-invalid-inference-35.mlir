func @qconv2d_kernel_missing(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
