// Verifier errors of the layer ops: conv2d, dense, relu, the pools, batch_norm, flatten, add and the loss.
// RUN: cpq-opt %s -split-input-file -verify-diagnostics

// cpq.conv2d: operands, window attributes, groups, bias and result type.

func @conv2d_input_unranked(%x: tensor<*xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.conv2d %x, %w : (tensor<*xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_input_rank(%x: tensor<?x3xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3]}}
  %y = cpq.conv2d %x, %w : (tensor<?x3xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_input_not_f32(%x: tensor<?x3x8x8xf16>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf16>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_filter_unranked(%x: tensor<?x3x8x8xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{filter must be a ranked tensor}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<*xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_filter_rank(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{filter must have rank 4, got [4, 3, 3]}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_filter_not_f32(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+1 {{filter must hold float32 values, got f16}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_filter_dynamic(%x: tensor<?x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{filter needs a static shape}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<?x?x6x6xf32>
  return
}

// -----

func @conv2d_stride_not_pair(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %y = cpq.conv2d %x, %w {stride = [1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_stride_below_one(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [0, 1]}}
  %y = cpq.conv2d %x, %w {stride = [0, 1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_padding_not_pair(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %y = cpq.conv2d %x, %w {padding = [1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_padding_negative(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [0, -1]}}
  %y = cpq.conv2d %x, %w {padding = [0, -1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x4xf32>
  return
}

// -----

func @conv2d_groups_below_one(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{groups must be at least 1, got 0}}
  %y = cpq.conv2d %x, %w {groups = 0} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_filter_channels_not_divisible_by_groups(%x: tensor<?x3x8x8xf32>, %w: tensor<5x1x3x3xf32>) {
  // expected-error @+1 {{filter has 5 output channels, not divisible by groups = 3}}
  %y = cpq.conv2d %x, %w {groups = 3} : (tensor<?x3x8x8xf32>, tensor<5x1x3x3xf32>) -> tensor<?x5x6x6xf32>
  return
}

// -----

func @conv2d_input_channels_mismatch(%x: tensor<?x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{input has 3 channels but the filter expects 2 per group x 1 groups = 2}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_window_exceeds_height(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x9x3xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x9x3xf32>) -> tensor<?x4x1x6xf32>
  return
}

// -----

func @conv2d_window_exceeds_width(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x11xf32>) {
  // expected-error @+1 {{window of 11 does not fit the width of the input, 8 plus padding 2 x 1}}
  %y = cpq.conv2d %x, %w {padding = [1, 1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x11xf32>) -> tensor<?x4x8x1xf32>
  return
}

// -----

func @conv2d_bias_unranked(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{bias must be a ranked tensor}}
  %y = cpq.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<*xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_bias_rank(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4x1xf32>) {
  // expected-error @+1 {{bias must have rank 1, got [4, 1]}}
  %y = cpq.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4x1xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_bias_size_mismatch(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{bias has shape [5], expected [4]}}
  %y = cpq.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @conv2d_result_type_mismatch(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<?x4x8x8xf32>'}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

// cpq.dense: operands, features and bias.

func @dense_input_unranked(%x: tensor<*xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.dense %x, %w : (tensor<*xf32>, tensor<5x12xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_input_rank(%x: tensor<?x3x4xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{input must have rank 2, got [?, 3, 4]}}
  %y = cpq.dense %x, %w : (tensor<?x3x4xf32>, tensor<5x12xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_input_not_f32(%x: tensor<?x12xf16>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %y = cpq.dense %x, %w : (tensor<?x12xf16>, tensor<5x12xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_weight_unranked(%x: tensor<?x12xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{weight must be a ranked tensor}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<*xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_weight_rank(%x: tensor<?x12xf32>, %w: tensor<5x12x1xf32>) {
  // expected-error @+1 {{weight must have rank 2, got [5, 12, 1]}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<5x12x1xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_weight_not_f32(%x: tensor<?x12xf32>, %w: tensor<5x12xf16>) {
  // expected-error @+1 {{weight must hold float32 values, got f16}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<5x12xf16>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_weight_dynamic(%x: tensor<?x12xf32>, %w: tensor<?x12xf32>) {
  // expected-error @+1 {{weight needs a static shape}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<?x12xf32>) -> tensor<?x?xf32>
  return
}

// -----

func @dense_features_mismatch(%x: tensor<?x12xf32>, %w: tensor<5x10xf32>) {
  // expected-error @+1 {{input has 12 features but the weight expects 10}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<5x10xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_bias_unranked(%x: tensor<?x12xf32>, %w: tensor<5x12xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{bias must be a ranked tensor}}
  %y = cpq.dense %x, %w, %b : (tensor<?x12xf32>, tensor<5x12xf32>, tensor<*xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_bias_rank(%x: tensor<?x12xf32>, %w: tensor<5x12xf32>, %b: tensor<5x1xf32>) {
  // expected-error @+1 {{bias must have rank 1, got [5, 1]}}
  %y = cpq.dense %x, %w, %b : (tensor<?x12xf32>, tensor<5x12xf32>, tensor<5x1xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @dense_bias_size_mismatch(%x: tensor<?x12xf32>, %w: tensor<5x12xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{bias has shape [6], expected [5]}}
  %y = cpq.dense %x, %w, %b : (tensor<?x12xf32>, tensor<5x12xf32>, tensor<6xf32>) -> tensor<?x5xf32>
  return
}

// -----

// cpq.relu: its input.

func @relu_input_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = "cpq.relu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

// cpq.maxpool2d: kernel, input, window attributes and result type.

func @maxpool2d_kernel_missing(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %y = cpq.maxpool2d %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @maxpool2d_input_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.maxpool2d %x {kernel = [2, 2]} : (tensor<*xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @maxpool2d_input_rank(%x: tensor<?x3x8xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2]} : (tensor<?x3x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @maxpool2d_kernel_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @maxpool2d_kernel_below_one(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be at least 1, got [0, 2]}}
  %y = cpq.maxpool2d %x {kernel = [0, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @maxpool2d_stride_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], stride = [2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @maxpool2d_stride_below_one(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [2, 0]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], stride = [2, 0]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @maxpool2d_padding_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], padding = [0, 0, 0]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @maxpool2d_padding_negative(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [-1, 0]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], padding = [-1, 0]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x3x4xf32>
  return
}

// -----

func @maxpool2d_padding_not_below_kernel(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel, so that every window holds an input element}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], padding = [0, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x6xf32>
  return
}

// -----

func @maxpool2d_window_exceeds_height(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %y = cpq.maxpool2d %x {kernel = [9, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x1x4xf32>
  return
}

// -----

func @maxpool2d_window_exceeds_width(%x: tensor<?x3x4x4xf32>) {
  // expected-error @+1 {{window of 7 does not fit the width of the input, 4 plus padding 2 x 1}}
  %y = cpq.maxpool2d %x {kernel = [2, 7], padding = [0, 1]} : (tensor<?x3x4x4xf32>) -> tensor<?x3x2x1xf32>
  return
}

// -----

func @maxpool2d_result_type_mismatch(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x3x4x4xf32>' are incompatible}}
  %y = cpq.maxpool2d %x {kernel = [2, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

// cpq.avgpool2d: kernel, input and window attributes.

func @avgpool2d_kernel_missing(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %y = cpq.avgpool2d %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @avgpool2d_input_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.avgpool2d %x {kernel = [2, 2]} : (tensor<*xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @avgpool2d_input_rank(%x: tensor<?x3x8xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %y = cpq.avgpool2d %x {kernel = [2, 2]} : (tensor<?x3x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @avgpool2d_input_not_f32(%x: tensor<?x3x8x8xf16>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %y = cpq.avgpool2d %x {kernel = [2, 2]} : (tensor<?x3x8x8xf16>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @avgpool2d_kernel_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %y = cpq.avgpool2d %x {kernel = [8]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x1x1xf32>
  return
}

// -----

func @avgpool2d_kernel_below_one(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be at least 1, got [2, -2]}}
  %y = cpq.avgpool2d %x {kernel = [2, -2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @avgpool2d_stride_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], stride = [1, 1, 1]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x7x7xf32>
  return
}

// -----

func @avgpool2d_stride_below_one(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [0, 0]}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], stride = [0, 0]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @avgpool2d_padding_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], padding = [1]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x5x5xf32>
  return
}

// -----

func @avgpool2d_padding_negative(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [0, -1]}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], padding = [0, -1]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x3xf32>
  return
}

// -----

func @avgpool2d_padding_not_below_kernel(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], padding = [2, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x6x6xf32>
  return
}

// -----

func @avgpool2d_window_exceeds_height(%x: tensor<?x3x4x4xf32>) {
  // expected-error @+1 {{window of 7 does not fit the height of the input, 4 plus padding 2 x 1}}
  %y = cpq.avgpool2d %x {kernel = [7, 2], padding = [1, 0]} : (tensor<?x3x4x4xf32>) -> tensor<?x3x1x2xf32>
  return
}

// -----

func @avgpool2d_window_exceeds_width(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{window of 9 does not fit the width of the input, 8 plus padding 2 x 0}}
  %y = cpq.avgpool2d %x {kernel = [8, 9]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x1x1xf32>
  return
}

// -----

// cpq.batch_norm: input, statistics, epsilon and momentum.

func @batch_norm_input_unranked(%x: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s : (tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<*xf32>
  return
}

// -----

func @batch_norm_input_rank(%x: tensor<?x3x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be NC or NCHW, got [?, 3, 8]}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s : (tensor<?x3x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8xf32>
  return
}

// -----

func @batch_norm_gamma_unranked(%x: tensor<?x3x8x8xf32>, %g: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{gamma must be a ranked tensor}}
  %y = cpq.batch_norm %x, %g, %s, %s, %s : (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_gamma_rank(%x: tensor<?x3x8x8xf32>, %g: tensor<3x1xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{gamma must have rank 1, got [3, 1]}}
  %y = cpq.batch_norm %x, %g, %s, %s, %s : (tensor<?x3x8x8xf32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_gamma_channels_mismatch(%x: tensor<?x3x8x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{gamma has 4 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s : (tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_beta_unranked(%x: tensor<?x3x8x8xf32>, %b: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{beta must be a ranked tensor}}
  %y = cpq.batch_norm %x, %s, %b, %s, %s : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_beta_rank(%x: tensor<?x3x8x8xf32>, %b: tensor<f32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{beta must have rank 1, got []}}
  %y = cpq.batch_norm %x, %s, %b, %s, %s : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<f32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_beta_channels_mismatch(%x: tensor<?x3x8x8xf32>, %b: tensor<2xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{beta has 2 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %b, %s, %s : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_mean_unranked(%x: tensor<?x3xf32>, %m: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{mean must be a ranked tensor}}
  %y = cpq.batch_norm %x, %s, %s, %m, %s : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<*xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func @batch_norm_mean_rank(%x: tensor<?x3xf32>, %m: tensor<1x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{mean must have rank 1, got [1, 3]}}
  %y = cpq.batch_norm %x, %s, %s, %m, %s : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func @batch_norm_mean_channels_mismatch(%x: tensor<?x3xf32>, %m: tensor<5xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{mean has 5 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %s, %m, %s : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<5xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func @batch_norm_variance_unranked(%x: tensor<?x3x8x8xf32>, %v: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{variance must be a ranked tensor}}
  %y = cpq.batch_norm %x, %s, %s, %s, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<*xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_variance_rank(%x: tensor<?x3x8x8xf32>, %v: tensor<3x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{variance must have rank 1, got [3, 3]}}
  %y = cpq.batch_norm %x, %s, %s, %s, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_variance_channels_mismatch(%x: tensor<?x3x8x8xf32>, %v: tensor<1xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{variance has 1 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %s, %s, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_epsilon_not_positive(%x: tensor<?x3x8x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be positive}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s {epsilon = 0.0} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @batch_norm_momentum_out_of_range(%x: tensor<?x3x8x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got 2}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s {momentum = 2.0} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

// cpq.flatten: its input.

func @flatten_input_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.flatten %x : (tensor<*xf32>) -> tensor<?x?xf32>
  return
}

// -----

func @flatten_input_rank_below_2(%x: tensor<?xf32>) {
  // expected-error @+1 {{input needs a batch axis and at least one more, got [?]}}
  %y = cpq.flatten %x : (tensor<?xf32>) -> tensor<?x1xf32>
  return
}

// -----

// cpq.add: operand types and shapes.

func @add_operand_types_differ(%a: tensor<?x3x8x8xf32>, %b: tensor<?x3x4x4xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "cpq.add"(%a, %b) : (tensor<?x3x8x8xf32>, tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @add_lhs_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{lhs must be a ranked tensor}}
  %y = "cpq.add"(%a, %a) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func @add_rhs_unranked(%a: tensor<4xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{rhs must be a ranked tensor}}
  %y = "cpq.add"(%a, %b) : (tensor<4xf32>, tensor<*xf32>) -> tensor<4xf32>
  return
}

// -----

func @add_shape_mismatch(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{rhs has shape [3], expected [2]}}
  %y = "cpq.add"(%a, %b) : (tensor<2xf32>, tensor<3xf32>) -> tensor<?xf32>
  return
}

// -----

// cpq.softmax_cross_entropy: logits and labels.

func @softmax_cross_entropy_logits_unranked(%x: tensor<*xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{logits must be a ranked tensor}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<*xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

func @softmax_cross_entropy_logits_rank(%x: tensor<?x10x1xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{logits must have rank 2, got [?, 10, 1]}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x10x1xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

func @softmax_cross_entropy_labels_unranked(%x: tensor<?x10xf32>, %y: tensor<*xi32>) {
  // expected-error @+1 {{labels must be a ranked tensor}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x10xf32>, tensor<*xi32>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

func @softmax_cross_entropy_labels_rank(%x: tensor<?x10xf32>, %y: tensor<?x1xi32>) {
  // expected-error @+1 {{labels must have rank 1, got [?, 1]}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x10xf32>, tensor<?x1xi32>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

func @softmax_cross_entropy_rows_mismatch(%x: tensor<8x10xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{logits have 8 rows but there are 4 labels}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<8x10xf32>, tensor<4xi32>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

func @softmax_cross_entropy_classes_dynamic(%x: tensor<?x?xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{the number of classes (logits axis 1) must be static}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x?xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
  return
}
