func @quantize_gate_logits_dynamic(%x: tensor<?x4xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %g: tensor<?xf32>) {
  // expected-error @+1 {{gate_logits needs a static shape (one entry per level 2..3)}}
  %y = cpq.quantize %x, %a, %s, %g {grid = "signed", bits = 3} : (tensor<?x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<?xf32>) -> tensor<?x4xf32>
  return
}
