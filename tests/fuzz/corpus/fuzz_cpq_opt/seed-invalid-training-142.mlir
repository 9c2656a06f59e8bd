func @softmax_cross_entropy_hessian_logits_rank(%x: tensor<10xf32>) {
  // expected-error @+1 {{logits must have rank 2, got [10]}}
  %r = cpq.softmax_cross_entropy_hessian %x : tensor<10xf32>
  return
}
