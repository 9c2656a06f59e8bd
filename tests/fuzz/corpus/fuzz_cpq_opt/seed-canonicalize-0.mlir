// The canonicalization patterns of Combine.td.

func @relu_of_relu(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %a = cpq.relu %x : tensor<?x4xf32>
  %b = cpq.relu %a : tensor<?x4xf32>
  return %b : tensor<?x4xf32>
}

func @flatten_of_flatten(%x: tensor<?x4x2x2xf32>) -> tensor<?x16xf32> {
  %a = cpq.flatten %x : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  %b = cpq.flatten %a : (tensor<?x16xf32>) -> tensor<?x16xf32>
  return %b : tensor<?x16xf32>
}

func @quantize_twice_on_one_grid(%x: tensor<8xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>) -> tensor<8xf32> {
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  %r = cpq.quantize %q, %a, %s {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// Different grids, scales or gates are not the identity: nothing changes.
func @quantize_twice_differently(%x: tensor<8xf32>, %a: tensor<1xf32>, %b: tensor<1xf32>, %g: tensor<2xf32>)
    -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %q = cpq.quantize %x, %a, %a {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  %r1 = cpq.quantize %q, %a, %a {grid = "signed", bits = 2} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  %r2 = cpq.quantize %q, %b, %a {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  %gq = cpq.quantize %x, %a, %a, %g {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<8xf32>
  %r3 = cpq.quantize %gq, %a, %a {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  %x2 = cpq.quantize %x, %a, %a {grid = "unsigned", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  %r4 = cpq.quantize %x2, %a, %a {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  %s1 = cpq.add %r1, %r2 : tensor<8xf32>
  return %s1, %r3, %r4 : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}
