func @softmax_cross_entropy_labels_rank(%x: tensor<?x10xf32>, %y: tensor<?x1xi32>) {
  // expected-error @+1 {{labels must have rank 1, got [?, 1]}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x10xf32>, tensor<?x1xi32>) -> (tensor<f32>, tensor<i32>)
  return
}
