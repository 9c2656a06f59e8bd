func @softmax_cross_entropy_logits_rank(%x: tensor<?x10x1xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{logits must have rank 2, got [?, 10, 1]}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x10x1xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
  return
}
