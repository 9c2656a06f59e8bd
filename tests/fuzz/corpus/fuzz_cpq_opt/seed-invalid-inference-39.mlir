func @qconv2d_input_rank(%x: tensor<?x3x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
