func @softmax_cross_entropy_labels_unranked(%x: tensor<?x10xf32>, %y: tensor<*xi32>) {
  // expected-error @+1 {{labels must be a ranked tensor}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x10xf32>, tensor<*xi32>) -> (tensor<f32>, tensor<i32>)
  return
}
