func @softmax_cross_entropy_grad_labels_unranked(%x: tensor<?x10xf32>, %y: tensor<*xi32>) {
  // expected-error @+1 {{labels must be a ranked tensor}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<?x10xf32>, tensor<*xi32>) -> tensor<?x10xf32>
  return
}
