// expected-error @+1 {{the module already has a function named 'hessian_diag'}}
module {
  func @hessian_diag() { return }
  func @net(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
    %w = cpq.param "w" {init = "he_normal"} : tensor<3x6xf32>
    %y = cpq.dense %x, %w : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
}
