func @softmax_cross_entropy_classes_dynamic(%x: tensor<?x?xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{the number of classes (logits axis 1) must be static}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x?xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
  return
}
