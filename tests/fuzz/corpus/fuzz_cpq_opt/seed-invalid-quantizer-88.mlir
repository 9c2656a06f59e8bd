func @quantize_alpha_dynamic(%x: tensor<?x4xf32>, %a: tensor<?xf32>, %s: tensor<?xf32>) {
  // expected-error @+1 {{alpha needs a static shape (one entry, or one per channel)}}
  %y = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<?x4xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?x4xf32>
  return
}
