func @softmax_cross_entropy_grad_logits_rank(%x: tensor<10xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{logits must have rank 2, got [10]}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<10xf32>, tensor<?xi32>) -> tensor<10xf32>
  return
}
