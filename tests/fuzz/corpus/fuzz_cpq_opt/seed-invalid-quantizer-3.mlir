func @quantize_dropbits_unknown(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'dropbits' failed to satisfy constraint: DropBits mode: "hierarchical" or "independent"}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, dropbits = "random", dropbits_p = 0.5} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
