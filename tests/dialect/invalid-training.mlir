// Verifier errors of the training ops: the layers' gradients, batch_norm_train and the optimizer updates.
// RUN: cpq-opt %s -split-input-file -verify-diagnostics

// cpq.relu_grad: input and output_grad.

func @relu_grad_input_unranked(%dy: tensor<?x4xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.relu_grad %dy, %x : (tensor<?x4xf32>, tensor<*xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @relu_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.relu_grad %dy, %x : (tensor<*xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @relu_grad_shape_mismatch(%dy: tensor<?x5xf32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 5], expected [?, 4]}}
  %r = cpq.relu_grad %dy, %x : (tensor<?x5xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

// cpq.conv2d_grad_input: operands, window attributes, groups and output_grad.

func @conv2d_grad_input_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<*xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_output_grad_rank(%dy: tensor<?x4x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad must have rank 4, got [?, 4, 6]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_input_unranked(%dy: tensor<?x4x6x6xf32>, %x: tensor<*xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<*xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  return
}

// -----

func @conv2d_grad_input_input_rank(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8xf32>
  return
}

// -----

func @conv2d_grad_input_filter_unranked(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{filter must be a ranked tensor}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<*xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_filter_rank(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{filter must have rank 4, got [4, 3, 3]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_filter_dynamic(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{filter needs a static shape}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_stride_not_pair(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {stride = [1]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_stride_below_one(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [1, 0]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {stride = [1, 0]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_padding_not_pair(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {padding = [1, 1, 1]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_padding_negative(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [-1, -1]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {padding = [-1, -1]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_groups_below_one(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{groups must be at least 1, got -1}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {groups = -1} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_filter_channels_not_divisible_by_groups(%dy: tensor<?x5x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<5x1x3x3xf32>) {
  // expected-error @+1 {{filter has 5 output channels, not divisible by groups = 3}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {groups = 3} : (tensor<?x5x6x6xf32>, tensor<?x3x8x8xf32>, tensor<5x1x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_input_channels_mismatch(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{input has 3 channels but the filter expects 2 per group x 1 groups = 2}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_window_exceeds_height(%dy: tensor<?x4x1x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x9x3xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x1x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x9x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_window_exceeds_width(%dy: tensor<?x4x8x1xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x11xf32>) {
  // expected-error @+1 {{window of 11 does not fit the width of the input, 8 plus padding 2 x 1}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {padding = [1, 1]} : (tensor<?x4x8x1xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x11xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @conv2d_grad_input_output_grad_shape_mismatch(%dy: tensor<?x4x8x8xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 4, 8, 8], expected [?, 4, 6, 6]}}
  %d = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x8x8xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

// cpq.conv2d_grad_filter: operands, window attributes, groups and output_grad.

func @conv2d_grad_filter_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<*xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_output_grad_rank(%dy: tensor<?x4x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad must have rank 4, got [?, 4, 6]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_input_unranked(%dy: tensor<?x4x6x6xf32>, %x: tensor<*xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<*xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_input_rank(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_filter_unranked(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{filter must be a ranked tensor}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func @conv2d_grad_filter_filter_rank(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{filter must have rank 4, got [4, 3, 3]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<4x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_filter_dynamic(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{filter needs a static shape}}
  %d = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<?x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_stride_not_pair(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {stride = [1]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_stride_below_one(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [1, 0]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {stride = [1, 0]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_padding_not_pair(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {padding = [1, 1, 1]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_padding_negative(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [-1, -1]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {padding = [-1, -1]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_groups_below_one(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{groups must be at least 1, got -1}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {groups = -1} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_filter_channels_not_divisible_by_groups(%dy: tensor<?x5x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<5x1x3x3xf32>) {
  // expected-error @+1 {{filter has 5 output channels, not divisible by groups = 3}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {groups = 3} : (tensor<?x5x6x6xf32>, tensor<?x3x8x8xf32>, tensor<5x1x3x3xf32>) -> tensor<5x1x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_input_channels_mismatch(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{input has 3 channels but the filter expects 2 per group x 1 groups = 2}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<4x2x3x3xf32>
  return
}

// -----

func @conv2d_grad_filter_window_exceeds_height(%dy: tensor<?x4x1x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x9x3xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x1x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x9x3xf32>) -> tensor<4x3x9x3xf32>
  return
}

// -----

func @conv2d_grad_filter_window_exceeds_width(%dy: tensor<?x4x8x1xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x11xf32>) {
  // expected-error @+1 {{window of 11 does not fit the width of the input, 8 plus padding 2 x 1}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {padding = [1, 1]} : (tensor<?x4x8x1xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x11xf32>) -> tensor<4x3x3x11xf32>
  return
}

// -----

func @conv2d_grad_filter_output_grad_shape_mismatch(%dy: tensor<?x5x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 5, 6, 6], expected [?, 4, 6, 6]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x5x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

// cpq.bias_grad: output_grad.

func @bias_grad_output_grad_unranked(%dy: tensor<*xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.bias_grad %dy : (tensor<*xf32>) -> tensor<?xf32>
  return
}

// -----

func @bias_grad_output_grad_rank_below_2(%dy: tensor<?xf32>) {
  // expected-error @+1 {{output_grad needs a channel axis 1, got [?]}}
  %d = cpq.bias_grad %dy : (tensor<?xf32>) -> tensor<?xf32>
  return
}

// -----

// cpq.dense_grad_input: output_grad and weight.

func @dense_grad_input_output_grad_unranked(%dy: tensor<*xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.dense_grad_input %dy, %w : (tensor<*xf32>, tensor<5x12xf32>) -> tensor<?x12xf32>
  return
}

// -----

func @dense_grad_input_output_grad_rank(%dy: tensor<?x5x1xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{output_grad must have rank 2, got [?, 5, 1]}}
  %r = cpq.dense_grad_input %dy, %w : (tensor<?x5x1xf32>, tensor<5x12xf32>) -> tensor<?x12xf32>
  return
}

// -----

func @dense_grad_input_weight_unranked(%dy: tensor<?x5xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{weight must be a ranked tensor}}
  %r = cpq.dense_grad_input %dy, %w : (tensor<?x5xf32>, tensor<*xf32>) -> tensor<?x12xf32>
  return
}

// -----

func @dense_grad_input_weight_rank(%dy: tensor<?x5xf32>, %w: tensor<60xf32>) {
  // expected-error @+1 {{weight must have rank 2, got [60]}}
  %r = cpq.dense_grad_input %dy, %w : (tensor<?x5xf32>, tensor<60xf32>) -> tensor<?x12xf32>
  return
}

// -----

func @dense_grad_input_features_mismatch(%dy: tensor<?x7xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{output_grad has 7 features but the weight has 5 outputs}}
  %d = cpq.dense_grad_input %dy, %w : (tensor<?x7xf32>, tensor<5x12xf32>) -> tensor<?x12xf32>
  return
}

// -----

// cpq.dense_grad_weight: output_grad and input.

func @dense_grad_weight_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x12xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.dense_grad_weight %dy, %x : (tensor<*xf32>, tensor<?x12xf32>) -> tensor<5x12xf32>
  return
}

// -----

func @dense_grad_weight_output_grad_rank(%dy: tensor<?xf32>, %x: tensor<?x12xf32>) {
  // expected-error @+1 {{output_grad must have rank 2, got [?]}}
  %r = cpq.dense_grad_weight %dy, %x : (tensor<?xf32>, tensor<?x12xf32>) -> tensor<5x12xf32>
  return
}

// -----

func @dense_grad_weight_input_unranked(%dy: tensor<?x5xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.dense_grad_weight %dy, %x : (tensor<?x5xf32>, tensor<*xf32>) -> tensor<5x12xf32>
  return
}

// -----

func @dense_grad_weight_input_rank(%dy: tensor<?x5xf32>, %x: tensor<?x3x4xf32>) {
  // expected-error @+1 {{input must have rank 2, got [?, 3, 4]}}
  %r = cpq.dense_grad_weight %dy, %x : (tensor<?x5xf32>, tensor<?x3x4xf32>) -> tensor<5x12xf32>
  return
}

// -----

func @dense_grad_weight_rows_mismatch(%dy: tensor<3x5xf32>, %x: tensor<4x12xf32>) {
  // expected-error @+1 {{output_grad has 3 rows but the input has 4}}
  %d = cpq.dense_grad_weight %dy, %x : (tensor<3x5xf32>, tensor<4x12xf32>) -> tensor<5x12xf32>
  return
}

// -----

func @dense_grad_weight_features_dynamic(%dy: tensor<?x5xf32>, %x: tensor<?x?xf32>) {
  // expected-error @+1 {{the weight gradient needs static feature sizes}}
  %d = cpq.dense_grad_weight %dy, %x : (tensor<?x5xf32>, tensor<?x?xf32>) -> tensor<5x?xf32>
  return
}

// -----

// cpq.maxpool2d_grad: kernel, operands, window attributes and output_grad.

func @maxpool2d_grad_kernel_missing(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %r = cpq.maxpool2d_grad %dy, %x : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<*xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_output_grad_rank(%dy: tensor<?x3x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad must have rank 4, got [?, 3, 4]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_input_unranked(%dy: tensor<?x3x4x4xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4x4xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func @maxpool2d_grad_input_rank(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
  return
}

// -----

func @maxpool2d_grad_kernel_not_pair(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_kernel_below_one(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be at least 1, got [0, 0]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [0, 0]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_stride_not_pair(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2], stride = [2, 2, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_stride_below_one(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [0, 2]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2], stride = [0, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_padding_not_pair(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2], padding = [0]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_padding_negative(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [0, -1]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2], padding = [0, -1]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_padding_not_below_kernel(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel, so that every window holds an input element}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2], padding = [1, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_window_exceeds_height(%dy: tensor<?x3x1x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [9, 2]} : (tensor<?x3x1x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_window_exceeds_width(%dy: tensor<?x3x4x1xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{window of 9 does not fit the width of the input, 8 plus padding 2 x 0}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 9]} : (tensor<?x3x4x1xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @maxpool2d_grad_output_grad_shape_mismatch(%dy: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 3, 8, 8], expected [?, 3, 4, 4]}}
  %d = cpq.maxpool2d_grad %dy, %dy {kernel = [2, 2]} : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

// cpq.avgpool2d_grad: kernel, operands, window attributes and output_grad.

func @avgpool2d_grad_kernel_missing(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{requires attribute 'kernel'}}
  %r = cpq.avgpool2d_grad %dy, %x : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<*xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_output_grad_rank(%dy: tensor<?x3x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad must have rank 4, got [?, 3, 4]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_input_unranked(%dy: tensor<?x3x4x4xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4x4xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func @avgpool2d_grad_input_rank(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
  return
}

// -----

func @avgpool2d_grad_kernel_not_pair(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_kernel_below_one(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be at least 1, got [0, 0]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [0, 0]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_stride_not_pair(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2], stride = [2, 2, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_stride_below_one(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [0, 2]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2], stride = [0, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_padding_not_pair(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2], padding = [0]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_padding_negative(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [0, -1]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2], padding = [0, -1]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_padding_not_below_kernel(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel, so that every window holds an input element}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2], padding = [1, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_window_exceeds_height(%dy: tensor<?x3x1x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [9, 2]} : (tensor<?x3x1x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_window_exceeds_width(%dy: tensor<?x3x4x1xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{window of 9 does not fit the width of the input, 8 plus padding 2 x 0}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 9]} : (tensor<?x3x4x1xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @avgpool2d_grad_output_grad_shape_mismatch(%dy: tensor<?x3x2x2xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 3, 2, 2], expected [?, 3, 4, 4]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x2x2xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

// cpq.batch_norm_train: input, statistics, epsilon and momentum.

func @batch_norm_train_input_unranked(%x: tensor<*xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_input_rank(%x: tensor<?x3x8x8x1xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{input must be NC or NCHW, got [?, 3, 8, 8, 1]}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_gamma_unranked(%x: tensor<?x3x8x8xf32>, %g: tensor<*xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{gamma must be a ranked tensor}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func @batch_norm_train_gamma_rank(%x: tensor<?x3x8x8xf32>, %g: tensor<1x3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{gamma must have rank 1, got [1, 3]}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<1x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf32>)
  return
}

// -----

func @batch_norm_train_gamma_channels_mismatch(%x: tensor<?x3x8x8xf32>, %g: tensor<4xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{gamma has 4 entries but the input has 3 channels}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @batch_norm_train_beta_unranked(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<*xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{beta must be a ranked tensor}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_beta_rank(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<1x3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{beta must have rank 1, got [1, 3]}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<1x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_beta_channels_mismatch(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<4xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{beta has 4 entries but the input has 3 channels}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_mean_unranked(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<*xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{mean must be a ranked tensor}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<*xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_mean_rank(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<1x3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{mean must have rank 1, got [1, 3]}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_mean_channels_mismatch(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<4xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{mean has 4 entries but the input has 3 channels}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_variance_unranked(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<*xf32>) {
  // expected-error @+1 {{variance must be a ranked tensor}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<*xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_variance_rank(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<1x3xf32>) {
  // expected-error @+1 {{variance must have rank 1, got [1, 3]}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_variance_channels_mismatch(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<4xf32>) {
  // expected-error @+1 {{variance has 4 entries but the input has 3 channels}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_epsilon_not_positive(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be positive}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v {epsilon = -1.0e-05} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_train_momentum_out_of_range(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got -0.1}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v {momentum = -0.1} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// cpq.batch_norm_grad: output_grad and input, gamma and the batch statistics.

func @batch_norm_grad_input_unranked(%dy: tensor<?x3x8x8xf32>, %x: tensor<*xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<*xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<*xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_grad_output_grad_shape_mismatch(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 3, 4, 4], expected [?, 3, 8, 8]}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_grad_input_rank(%dy: tensor<?x3x8xf32>, %x: tensor<?x3x8xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be NC or NCHW, got [?, 3, 8]}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8xf32>, tensor<?x3x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_grad_gamma_unranked(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<*xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{gamma must be a ranked tensor}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func @batch_norm_grad_gamma_rank(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3x1xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{gamma must have rank 1, got [3, 1]}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3x1xf32>, tensor<3x1xf32>)
  return
}

// -----

func @batch_norm_grad_gamma_channels_mismatch(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<4xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{gamma has 4 entries but the input has 3 channels}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @batch_norm_grad_batch_mean_unranked(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{batch_mean must be a ranked tensor}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<*xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_grad_batch_mean_shape_mismatch(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{batch_mean has shape [4], expected [3]}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_grad_batch_inv_std_unranked(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<*xf32>) {
  // expected-error @+1 {{batch_inv_std must be a ranked tensor}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<*xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func @batch_norm_grad_batch_inv_std_shape_mismatch(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3x1xf32>) {
  // expected-error @+1 {{batch_inv_std has shape [3, 1], expected [3]}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x1xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// cpq.flatten_grad: output_grad and input.

func @flatten_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x2x2xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.flatten_grad %dy, %x : (tensor<*xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  return
}

// -----

func @flatten_grad_output_grad_rank(%dy: tensor<?x3x4xf32>, %x: tensor<?x3x2x2xf32>) {
  // expected-error @+1 {{output_grad must have rank 2, got [?, 3, 4]}}
  %r = cpq.flatten_grad %dy, %x : (tensor<?x3x4xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  return
}

// -----

func @flatten_grad_input_unranked(%dy: tensor<?x12xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.flatten_grad %dy, %x : (tensor<?x12xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func @flatten_grad_input_rank_below_2(%dy: tensor<?x1xf32>, %x: tensor<?xf32>) {
  // expected-error @+1 {{input needs a batch axis and at least one more, got [?]}}
  %r = cpq.flatten_grad %dy, %x : (tensor<?x1xf32>, tensor<?xf32>) -> tensor<?xf32>
  return
}

// -----

func @flatten_grad_output_grad_shape_mismatch(%dy: tensor<?x10xf32>, %x: tensor<?x3x2x2xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 10], expected [?, 12]}}
  %r = cpq.flatten_grad %dy, %x : (tensor<?x10xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  return
}

// -----

// cpq.softmax_cross_entropy_grad: logits and labels.

func @softmax_cross_entropy_grad_logits_unranked(%x: tensor<*xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{logits must be a ranked tensor}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<*xf32>, tensor<?xi32>) -> tensor<*xf32>
  return
}

// -----

func @softmax_cross_entropy_grad_logits_rank(%x: tensor<10xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{logits must have rank 2, got [10]}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<10xf32>, tensor<?xi32>) -> tensor<10xf32>
  return
}

// -----

func @softmax_cross_entropy_grad_labels_unranked(%x: tensor<?x10xf32>, %y: tensor<*xi32>) {
  // expected-error @+1 {{labels must be a ranked tensor}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<?x10xf32>, tensor<*xi32>) -> tensor<?x10xf32>
  return
}

// -----

func @softmax_cross_entropy_grad_labels_rank(%x: tensor<?x10xf32>, %y: tensor<i32>) {
  // expected-error @+1 {{labels must have rank 1, got []}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<?x10xf32>, tensor<i32>) -> tensor<?x10xf32>
  return
}

// -----

func @softmax_cross_entropy_grad_rows_mismatch(%x: tensor<8x10xf32>, %y: tensor<6xi32>) {
  // expected-error @+1 {{logits have 8 rows but there are 6 labels}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<8x10xf32>, tensor<6xi32>) -> tensor<8x10xf32>
  return
}

// -----

func @softmax_cross_entropy_grad_classes_dynamic(%x: tensor<?x?xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{the number of classes (logits axis 1) must be static}}
  %r = cpq.softmax_cross_entropy_grad %x, %y : (tensor<?x?xf32>, tensor<?xi32>) -> tensor<?x?xf32>
  return
}

// -----

// cpq.sgd_update: param, grad and momentum buffer, momentum, weight decay.

func @sgd_update_param_unranked(%p: tensor<*xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{param must be a ranked tensor}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr : (tensor<*xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func @sgd_update_grad_unranked(%p: tensor<4xf32>, %g: tensor<*xf32>, %m: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{grad must be a ranked tensor}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr : (tensor<4xf32>, tensor<*xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @sgd_update_momentum_buffer_unranked(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<*xf32>, %lr: f32) {
  // expected-error @+1 {{momentum_buffer must be a ranked tensor}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr : (tensor<4xf32>, tensor<4xf32>, tensor<*xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @sgd_update_grad_shape_mismatch(%s: tensor<4xf32>, %g: tensor<5xf32>, %lr: f32) {
  // expected-error @+1 {{grad has shape [5], expected [4]}}
  %p:2 = cpq.sgd_update %s, %g, %s, %lr : (tensor<4xf32>, tensor<5xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @sgd_update_momentum_buffer_shape_mismatch(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4x1xf32>, %lr: f32) {
  // expected-error @+1 {{momentum_buffer has shape [4, 1], expected [4]}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr : (tensor<4xf32>, tensor<4xf32>, tensor<4x1xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @sgd_update_momentum_out_of_range(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{momentum must be in [0, 1), got 1}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {momentum = 1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @sgd_update_momentum_negative(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{momentum must be in [0, 1), got -0.5}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr {momentum = -0.5} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @sgd_update_weight_decay_negative(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{weight_decay must be non-negative, got -0.1}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {weight_decay = -0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @sgd_update_relative_with_weight_decay(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{relative steps take no weight_decay}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {relative, weight_decay = 0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

// cpq.adam_update: param, grad and moments, beta1 and beta2, epsilon, weight decay.

func @adam_update_param_unranked(%p: tensor<*xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{param must be a ranked tensor}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<*xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func @adam_update_grad_unranked(%p: tensor<4xf32>, %g: tensor<*xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{grad must be a ranked tensor}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<4xf32>, tensor<*xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_first_moment_unranked(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<*xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{first_moment must be a ranked tensor}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<4xf32>, tensor<4xf32>, tensor<*xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_second_moment_unranked(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<*xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{second_moment must be a ranked tensor}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<*xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_grad_shape_mismatch(%p: tensor<4xf32>, %g: tensor<5xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{grad has shape [5], expected [4]}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<4xf32>, tensor<5xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_first_moment_shape_mismatch(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<2x2xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{first_moment has shape [2, 2], expected [4]}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<4xf32>, tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_second_moment_shape_mismatch(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<3xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{second_moment has shape [3], expected [4]}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_beta1_out_of_range(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{beta1 and beta2 must be in [0, 1), got 1 and 0.999}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t {beta1 = 1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_beta2_out_of_range(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{beta1 and beta2 must be in [0, 1), got 0.9 and 1}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {beta2 = 1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_epsilon_not_positive(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{epsilon must be positive, got 0}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {epsilon = 0.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_lr_scale_not_positive(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{lr_scale must be a positive number, got -2}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {lr_scale = -2.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @sgd_update_lr_scale_not_positive(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{lr_scale must be a positive number, got 0}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {lr_scale = 0.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_weight_decay_negative(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{weight_decay must be non-negative, got -1}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {weight_decay = -1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @adam_update_relative_with_weight_decay(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{relative steps take no weight_decay}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {relative, weight_decay = 0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

// cpq.softmax_cross_entropy_hessian: logits of rank 2.

func @softmax_cross_entropy_hessian_logits_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{logits must be a ranked tensor}}
  %r = cpq.softmax_cross_entropy_hessian %x : tensor<*xf32>
  return
}

// -----

func @softmax_cross_entropy_hessian_logits_rank(%x: tensor<10xf32>) {
  // expected-error @+1 {{logits must have rank 2, got [10]}}
  %r = cpq.softmax_cross_entropy_hessian %x : tensor<10xf32>
  return
}

// -----

// cpq.square: float tensors only.

func @square_of_integers(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be}}
  %r = cpq.square %x : tensor<4xi32>
  return
}
