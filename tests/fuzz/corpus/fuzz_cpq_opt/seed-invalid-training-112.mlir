// cpq.softmax_cross_entropy_grad: logits and labels.

func @softmax_cross_entropy_grad_logits_unranked(%x: tensor<*xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{logits must be a ranked tensor}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<*xf32>, tensor<?xi32>) -> tensor<*xf32>
  return
}
