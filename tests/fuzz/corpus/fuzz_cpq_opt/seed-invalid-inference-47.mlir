func @qconv2d_packed_filter_row_bytes_mismatch(%x: tensor<?x3x8x8xui8>, %p: tensor<4x6xui8>) {
  // expected-error @+1 {{packed_filter rows have 6 bytes; 27 codes of 2 bits take 7}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x6xui8>) -> tensor<?x4x6x6xi32>
  return
}
