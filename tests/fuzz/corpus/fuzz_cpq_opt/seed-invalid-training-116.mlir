func @softmax_cross_entropy_grad_rows_mismatch(%x: tensor<8x10xf32>, %y: tensor<6xi32>) {
  // expected-error @+1 {{logits have 8 rows but there are 6 labels}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<8x10xf32>, tensor<6xi32>) -> tensor<8x10xf32>
  return
}
