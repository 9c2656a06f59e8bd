// Verifier errors of the inference ops: encode, decode, pack, qconv2d, qdense and requantize.
// RUN: cpq-opt %s -split-input-file -verify-diagnostics

// cpq.encode: attributes, input and alpha, bits, the grid's levels and the result type.

func @encode_grid_missing(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.encode %x, %a {bits = 4} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xui8>
  return
}

// -----

func @encode_bits_missing(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.encode %x, %a {grid = "unsigned"} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xui8>
  return
}

// -----

func @encode_grid_unknown(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.encode %x, %a {grid = "binary", bits = 1} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xui8>
  return
}

// -----

func @encode_input_unranked(%x: tensor<*xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<*xf32>, tensor<1xf32>) -> tensor<*xui8>
  return
}

// -----

func @encode_alpha_unranked(%x: tensor<?x3xf32>, %a: tensor<*xf32>) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<*xf32>) -> tensor<?x3xui8>
  return
}

// -----

func @encode_alpha_rank(%x: tensor<?x3xf32>, %a: tensor<1x1xf32>) {
  // expected-error @+1 {{alpha must have rank 1, got [1, 1]}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<1x1xf32>) -> tensor<?x3xui8>
  return
}

// -----

func @encode_alpha_not_f32(%x: tensor<?x3xf32>, %a: tensor<1xf16>) {
  // expected-error @+1 {{alpha must hold float32 values, got f16}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<1xf16>) -> tensor<?x3xui8>
  return
}

// -----

func @encode_bits_above_8(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 9} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xui8>
  return
}

// -----

func @encode_alpha_per_channel(%x: tensor<?x3xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{alpha must have one entry (activations are quantized per tensor)}}
  %q = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xui8>
  return
}

// -----

func @encode_symmetric_8_bits(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes}}
  %q = cpq.encode %x, %a {grid = "symmetric", bits = 8} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xsi8>
  return
}

// -----

func @encode_result_type_mismatch(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x3xui8>' are incompatible with return type(s) of operation 'tensor<?x3xsi8>'}}
  %q = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xsi8>
  return
}

// -----

// cpq.decode: attributes, codes and alpha, bits and the grid's levels.

func @decode_grid_missing(%q: tensor<?x4xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.decode %q, %a {bits = 2} : (tensor<?x4xui8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_bits_missing(%q: tensor<?x4xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.decode %q, %a {grid = "unsigned"} : (tensor<?x4xui8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_grid_unknown(%q: tensor<?x4xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.decode %q, %a {grid = "Unsigned", bits = 2} : (tensor<?x4xui8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_codes_unranked(%q: tensor<*xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{codes must be a ranked tensor}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<*xui8>, tensor<1xf32>) -> tensor<*xf32>
  return
}

// -----

func @decode_alpha_unranked(%q: tensor<?x4xui8>, %a: tensor<*xf32>) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xui8>, tensor<*xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_alpha_rank(%q: tensor<?x4xui8>, %a: tensor<f32>) {
  // expected-error @+1 {{alpha must have rank 1, got []}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xui8>, tensor<f32>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_alpha_not_f32(%q: tensor<?x4xui8>, %a: tensor<1xf64>) {
  // expected-error @+1 {{alpha must hold float32 values, got f64}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xui8>, tensor<1xf64>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_bits_below_1(%q: tensor<?x4xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 0} : (tensor<?x4xui8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_alpha_per_channel(%q: tensor<?x4xui8>, %a: tensor<4xf32>) {
  // expected-error @+1 {{alpha must have one entry (activations are quantized per tensor)}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xui8>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_symmetric_8_bits(%q: tensor<?x4xsi8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes}}
  %r = cpq.decode %q, %a {grid = "symmetric", bits = 8} : (tensor<?x4xsi8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @decode_codes_type_mismatch(%q: tensor<?x4xsi8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{codes are si8 but levels of the unsigned grid are ui8}}
  %y = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xsi8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}

// -----

// cpq.pack: attributes, weight and alpha, bits.

func @pack_grid_missing(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.pack %w, %a {bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>) -> tensor<4x7xui8>
  return
}

// -----

func @pack_bits_missing(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.pack %w, %a {grid = "signed"} : (tensor<4x3x3x3xf32>, tensor<1xf32>) -> tensor<4x7xui8>
  return
}

// -----

func @pack_grid_unknown(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.pack %w, %a {grid = "ternary", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>) -> tensor<4x7xui8>
  return
}

// -----

func @pack_weight_unranked(%w: tensor<*xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{weight must be a ranked tensor}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<*xf32>, tensor<1xf32>) -> tensor<4x7xui8>
  return
}

// -----

func @pack_alpha_unranked(%w: tensor<4x3x3x3xf32>, %a: tensor<*xf32>) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<*xf32>) -> tensor<4x7xui8>
  return
}

// -----

func @pack_alpha_rank(%w: tensor<4x3x3x3xf32>, %a: tensor<4x1xf32>) {
  // expected-error @+1 {{alpha must have rank 1, got [4, 1]}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<4x1xf32>) -> tensor<4x7xui8>
  return
}

// -----

func @pack_bits_above_8(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 9} : (tensor<4x3x3x3xf32>, tensor<1xf32>) -> tensor<4x7xui8>
  return
}

// -----

func @pack_alpha_dynamic(%w: tensor<4x3xf32>, %a: tensor<?xf32>) {
  // expected-error @+1 {{alpha needs a static shape}}
  %p = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3xf32>, tensor<?xf32>) -> tensor<4x1xui8>
  return
}

// -----

func @pack_weight_dynamic(%w: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{weight needs a static shape}}
  %p = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x1xui8>
  return
}

// -----

func @pack_weight_scalar(%w: tensor<f32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{weight needs an output-channel axis 0, got a scalar}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<f32>, tensor<1xf32>) -> tensor<1x1xui8>
  return
}

// -----

func @pack_alpha_size_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{alpha has 3 entries; expected 1 or one per output channel (4)}}
  %p = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<4x7xui8>
  return
}

// -----

// cpq.qconv2d: attributes, operands, bits, kernel, groups, packed rows and the window.

func @qconv2d_grid_missing(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.qconv2d %x, %p {bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_bits_missing(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.qconv2d %x, %p {grid = "signed", kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_kernel_missing(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_grid_unknown(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.qconv2d %x, %p {grid = "ternary", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_input_not_codes(%x: tensor<?x3x8x8xf32>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 8-bit unsigned integer or 8-bit signed integer values}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xf32>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_input_unranked(%x: tensor<*xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<*xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_input_rank(%x: tensor<?x3x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_packed_filter_unranked(%x: tensor<?x3x8x8xui8>, %p: tensor<*xui8>) {
  // expected-error @+1 {{packed_filter must be a ranked tensor}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<*xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_packed_filter_rank(%x: tensor<?x3x8x8xui8>, %p: tensor<28xui8>) {
  // expected-error @+1 {{packed_filter must have rank 2, got [28]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<28xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_bits_below_1(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 0, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_kernel_not_pair(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_kernel_below_one(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{kernel must be at least 1, got [0, 3]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [0, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_input_channels_dynamic(%x: tensor<?x?x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input channels must be static}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x?x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_input_channels_not_divisible_by_groups(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input has 3 channels, not divisible by groups = 2}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], groups = 2} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_packed_filter_row_bytes_mismatch(%x: tensor<?x3x8x8xui8>, %p: tensor<4x6xui8>) {
  // expected-error @+1 {{packed_filter rows have 6 bytes; 27 codes of 2 bits take 7}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x6xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_stride_not_pair(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], stride = [1, 1, 1]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_stride_below_one(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{stride must be at least 1, got [-1, 1]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], stride = [-1, 1]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_padding_not_pair(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], padding = [1]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_padding_negative(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{padding must be at least 0, got [-1, 0]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], padding = [-1, 0]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @qconv2d_packed_filter_channels_not_divisible_by_groups(%x: tensor<?x4x8x8xui8>, %p: tensor<5x5xui8>) {
  // expected-error @+1 {{packed_filter has 5 output channels, not divisible by groups = 2}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], groups = 2} : (tensor<?x4x8x8xui8>, tensor<5x5xui8>) -> tensor<?x5x6x6xi32>
  return
}

// -----

func @qconv2d_window_exceeds_height(%x: tensor<?x3x8x8xui8>, %p: tensor<4x21xui8>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [9, 3]} : (tensor<?x3x8x8xui8>, tensor<4x21xui8>) -> tensor<?x4x1x6xi32>
  return
}

// -----

func @qconv2d_window_exceeds_width(%x: tensor<?x3x8x8xui8>, %p: tensor<4x21xui8>) {
  // expected-error @+1 {{window of 9 does not fit the width of the input, 8 plus padding 2 x 0}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 9], padding = [1, 0]} : (tensor<?x3x8x8xui8>, tensor<4x21xui8>) -> tensor<?x4x8x1xi32>
  return
}

// -----

// cpq.qdense: attributes, operands, bits and packed rows.

func @qdense_grid_missing(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.qdense %x, %p {bits = 2} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_bits_missing(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.qdense %x, %p {grid = "signed"} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_grid_unknown(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.qdense %x, %p {grid = "ternary", bits = 2} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_input_unranked(%x: tensor<*xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<*xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_input_rank(%x: tensor<?x3x4xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{input must have rank 2, got [?, 3, 4]}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<?x3x4xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_packed_weight_unranked(%x: tensor<?x12xui8>, %p: tensor<*xui8>) {
  // expected-error @+1 {{packed_weight must be a ranked tensor}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<?x12xui8>, tensor<*xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_packed_weight_rank(%x: tensor<?x12xui8>, %p: tensor<15xui8>) {
  // expected-error @+1 {{packed_weight must have rank 2, got [15]}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<?x12xui8>, tensor<15xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_bits_above_8(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 9} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_input_features_dynamic(%x: tensor<?x?xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{input features must be static}}
  %y = cpq.qdense %x, %p {grid = "signed", bits = 4} : (tensor<?x?xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @qdense_packed_weight_row_bytes_mismatch(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{packed_weight rows have 3 bytes; 12 codes of 4 bits take 6}}
  %y = cpq.qdense %x, %p {grid = "signed", bits = 4} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

// cpq.requantize: input, scale and bias, next_alpha and the next quantizer's grid and bits.

func @requantize_grid_unknown(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.requantize %acc, %s, %b, %a {grid = "ternary", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xui8>
  return
}

// -----

func @requantize_input_unranked(%acc: tensor<*xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.requantize %acc, %s, %b : (tensor<*xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func @requantize_scale_unranked(%acc: tensor<?x4xi32>, %s: tensor<*xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{scale must be a ranked tensor}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<*xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @requantize_scale_rank(%acc: tensor<?x4xi32>, %s: tensor<4x1xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{scale must have rank 1, got [4, 1]}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<4x1xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @requantize_bias_unranked(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{bias must be a ranked tensor}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<4xf32>, tensor<*xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @requantize_bias_rank(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<f32>) {
  // expected-error @+1 {{bias must have rank 1, got []}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<4xf32>, tensor<f32>) -> tensor<?x4xf32>
  return
}

// -----

func @requantize_input_rank_below_2(%acc: tensor<?xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{input needs a channel axis 1, got [?]}}
  %y = cpq.requantize %acc, %s, %s : (tensor<?xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  return
}

// -----

func @requantize_scale_channels_mismatch(%acc: tensor<?x4xi32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{scale has 3 entries but the input has 4 channels}}
  %y = cpq.requantize %acc, %s, %s : (tensor<?x4xi32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @requantize_bias_channels_mismatch(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias has 3 entries but the input has 4 channels}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<4xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @requantize_next_alpha_unranked(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<*xf32>) {
  // expected-error @+1 {{next_alpha must be a ranked tensor}}
  %r = cpq.requantize %acc, %s, %b, %a {grid = "unsigned", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<*xf32>) -> tensor<?x4xui8>
  return
}

// -----

func @requantize_next_alpha_rank(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1x1xf32>) {
  // expected-error @+1 {{next_alpha must have rank 1, got [1, 1]}}
  %r = cpq.requantize %acc, %s, %b, %a {grid = "unsigned", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1x1xf32>) -> tensor<?x4xui8>
  return
}

// -----

func @requantize_next_alpha_without_grid(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{with next_alpha, needs the next quantizer's grid and bits attributes}}
  %r = cpq.requantize %acc, %s, %b, %a {bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xui8>
  return
}

// -----

func @requantize_next_alpha_without_bits(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{with next_alpha, needs the next quantizer's grid and bits attributes}}
  %r = cpq.requantize %acc, %s, %b, %a {grid = "unsigned"} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xui8>
  return
}

// -----

func @requantize_bits_above_8(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %r = cpq.requantize %acc, %s, %b, %a {grid = "unsigned", bits = 9} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xui8>
  return
}

// -----

func @requantize_next_alpha_per_channel(%acc: tensor<?x4xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{next_alpha must have one entry}}
  %y = cpq.requantize %acc, %s, %s, %s {grid = "unsigned", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xui8>
  return
}

// -----

func @requantize_symmetric_8_bits(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes}}
  %r = cpq.requantize %acc, %s, %b, %a {relu, grid = "symmetric", bits = 8} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xsi8>
  return
}

// -----

func @requantize_grid_bits_without_next_alpha(%acc: tensor<?x4xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{grid and bits describe the next quantizer and need its next_alpha operand}}
  %y = cpq.requantize %acc, %s, %s {grid = "unsigned", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @requantize_bits_without_next_alpha(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{grid and bits describe the next quantizer and need its next_alpha operand}}
  %r = cpq.requantize %acc, %s, %b {bits = 8} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @qconv2d_packed_filter_dynamic(%x: tensor<?x2x6x6xui8>, %p: tensor<?x5xui8>) {
  // expected-error @+1 {{packed_filter needs a static shape}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x2x6x6xui8>, tensor<?x5xui8>) -> tensor<?x4x4x4xi32>
  return
}

// -----

func @qconv2d_groups_below_one(%x: tensor<?x2x6x6xui8>, %p: tensor<4x5xui8>) {
  // expected-error @+1 {{groups must be at least 1, got 0}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], groups = 0} : (tensor<?x2x6x6xui8>, tensor<4x5xui8>) -> tensor<?x4x4x4xi32>
  return
}

// -----

func @qdense_packed_weight_dynamic(%x: tensor<?x12xui8>, %p: tensor<?x3xui8>) {
  // expected-error @+1 {{packed_weight needs a static shape}}
  %y = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<?x12xui8>, tensor<?x3xui8>) -> tensor<?x?xi32>
  return
}
