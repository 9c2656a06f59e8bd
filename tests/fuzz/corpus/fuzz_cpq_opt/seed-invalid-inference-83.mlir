func @qconv2d_packed_filter_dynamic(%x: tensor<?x2x6x6xui8>, %p: tensor<?x5xui8>) {
  // expected-error @+1 {{packed_filter needs a static shape}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x2x6x6xui8>, tensor<?x5xui8>) -> tensor<?x4x4x4xi32>
  return
}
