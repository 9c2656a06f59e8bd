func @softmax_cross_entropy_rows_mismatch(%x: tensor<8x10xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{logits have 8 rows but there are 4 labels}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<8x10xf32>, tensor<4xi32>) -> (tensor<f32>, tensor<i32>)
  return
}
