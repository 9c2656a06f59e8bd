func @softmax_cross_entropy_grad_classes_dynamic(%x: tensor<?x?xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{the number of classes (logits axis 1) must be static}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<?x?xf32>, tensor<?xi32>) -> tensor<?x?xf32>
  return
}
