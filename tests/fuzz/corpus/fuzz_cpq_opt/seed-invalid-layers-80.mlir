// cpq.softmax_cross_entropy: logits and labels.

func @softmax_cross_entropy_logits_unranked(%x: tensor<*xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{logits must be a ranked tensor}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<*xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
  return
}
