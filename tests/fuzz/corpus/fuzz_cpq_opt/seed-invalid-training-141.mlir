// cpq.softmax_cross_entropy_hessian: logits of rank 2.

func @softmax_cross_entropy_hessian_logits_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{logits must be a ranked tensor}}
  %r = cpq.softmax_cross_entropy_hessian %x : tensor<*xf32>
  return
}
