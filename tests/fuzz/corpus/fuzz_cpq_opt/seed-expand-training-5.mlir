// expected-error @+1 {{found 0 functions with cpq.param ops; name the network with network=<function>}}
module {
  func @plain(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    return %x : tensor<?x4xf32>
  }
}
