func @softmax_cross_entropy_grad_labels_rank(%x: tensor<?x10xf32>, %y: tensor<i32>) {
  // expected-error @+1 {{labels must have rank 1, got []}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<?x10xf32>, tensor<i32>) -> tensor<?x10xf32>
  return
}
