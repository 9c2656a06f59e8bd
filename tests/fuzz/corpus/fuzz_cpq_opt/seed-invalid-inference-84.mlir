func @qconv2d_groups_below_one(%x: tensor<?x2x6x6xui8>, %p: tensor<4x5xui8>) {
  // expected-error @+1 {{groups must be at least 1, got 0}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], groups = 0} : (tensor<?x2x6x6xui8>, tensor<4x5xui8>) -> tensor<?x4x4x4xi32>
  return
}
