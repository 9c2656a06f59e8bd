func @qdense_packed_weight_row_bytes_mismatch(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{packed_weight rows have 3 bytes; 12 codes of 4 bits take 6}}
  %y = cpq.qdense %x, %p {grid = "signed", bits = 4} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}
