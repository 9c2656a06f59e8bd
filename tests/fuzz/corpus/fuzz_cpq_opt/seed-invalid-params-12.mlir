func @param_name_used_twice() {
  %a = cpq.param "w" {init = "zeros"} : tensor<3xf32>
  // expected-error @+1 {{parameter name "w" is used twice in this function}}
  %b = cpq.param "w" {init = "ones"} : tensor<3xf32>
  return
}
