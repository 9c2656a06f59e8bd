// Generated from lenet5.mlir; regenerate with
//   cpq-opt --cpq-quantize-network="weight-bits=2 activation-bits=2 dropbits-p=0.25" lenet5.mlir
// (tests/dialect/examples.mlir checks that this file is what that command prints).
module {
  func @lenet5(%arg0: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
    %0 = cpq.param "input.alpha" {init = "constant", trainable = false, value = dense<0.00392156886> : tensor<1xf32>} : tensor<1xf32>
    %1 = cpq.param "input.sigma" {init = "constant", trainable = false, value = dense<9.80392214E-4> : tensor<1xf32>} : tensor<1xf32>
    %2 = cpq.quantize %arg0, %0, %1 {bits = 8 : i64, grid = "unsigned"} : (tensor<?x1x28x28xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x1x28x28xf32>
    %3 = cpq.param "conv1.weight" {init = "he_normal"} : tensor<32x1x5x5xf32>
    %4 = cpq.param "conv1.bias" {init = "zeros"} : tensor<32xf32>
    %5 = cpq.param "conv1.weight.alpha" {init = "constant", value = dense<0.281626493> : tensor<32xf32>} : tensor<32xf32>
    %6 = cpq.param "conv1.weight.sigma" {init = "constant", value = dense<0.0704066232> : tensor<32xf32>} : tensor<32xf32>
    %7 = cpq.quantize %3, %5, %6 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<32x1x5x5xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x1x5x5xf32>
    %8 = cpq.conv2d %2, %7, %4 : (tensor<?x1x28x28xf32>, tensor<32x1x5x5xf32>, tensor<32xf32>) -> tensor<?x32x24x24xf32>
    %9 = cpq.relu %8 : tensor<?x32x24x24xf32>
    %10 = cpq.param "act1.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %11 = cpq.param "act1.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %12 = cpq.quantize %9, %10, %11 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x32x24x24xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x32x24x24xf32>
    %13 = cpq.maxpool2d %12 {kernel = [2, 2]} : (tensor<?x32x24x24xf32>) -> tensor<?x32x12x12xf32>
    %14 = cpq.param "conv2.weight" {init = "he_normal"} : tensor<64x32x5x5xf32>
    %15 = cpq.param "conv2.bias" {init = "zeros"} : tensor<64xf32>
    %16 = cpq.param "conv2.weight.alpha" {init = "constant", value = dense<4.978500e-02> : tensor<64xf32>} : tensor<64xf32>
    %17 = cpq.param "conv2.weight.sigma" {init = "constant", value = dense<0.0124462498> : tensor<64xf32>} : tensor<64xf32>
    %18 = cpq.quantize %14, %16, %17 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<64x32x5x5xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64x32x5x5xf32>
    %19 = cpq.conv2d %13, %18, %15 : (tensor<?x32x12x12xf32>, tensor<64x32x5x5xf32>, tensor<64xf32>) -> tensor<?x64x8x8xf32>
    %20 = cpq.relu %19 : tensor<?x64x8x8xf32>
    %21 = cpq.param "act2.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %22 = cpq.param "act2.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %23 = cpq.quantize %20, %21, %22 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x64x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x64x8x8xf32>
    %24 = cpq.maxpool2d %23 {kernel = [2, 2]} : (tensor<?x64x8x8xf32>) -> tensor<?x64x4x4xf32>
    %25 = cpq.flatten %24 : (tensor<?x64x4x4xf32>) -> tensor<?x1024xf32>
    %26 = cpq.param "fc1.weight" {init = "he_normal"} : tensor<512x1024xf32>
    %27 = cpq.param "fc1.bias" {init = "zeros"} : tensor<512xf32>
    %28 = cpq.param "fc1.weight.alpha" {init = "constant", value = dense<0.0440041386> : tensor<512xf32>} : tensor<512xf32>
    %29 = cpq.param "fc1.weight.sigma" {init = "constant", value = dense<0.0110010346> : tensor<512xf32>} : tensor<512xf32>
    %30 = cpq.quantize %26, %28, %29 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<512x1024xf32>, tensor<512xf32>, tensor<512xf32>) -> tensor<512x1024xf32>
    %31 = cpq.dense %25, %30, %27 : (tensor<?x1024xf32>, tensor<512x1024xf32>, tensor<512xf32>) -> tensor<?x512xf32>
    %32 = cpq.relu %31 : tensor<?x512xf32>
    %33 = cpq.param "act3.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %34 = cpq.param "act3.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %35 = cpq.quantize %32, %33, %34 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x512xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x512xf32>
    %36 = cpq.param "fc2.weight" {init = "he_normal"} : tensor<10x512xf32>
    %37 = cpq.param "fc2.bias" {init = "zeros"} : tensor<10xf32>
    %38 = cpq.param "fc2.weight.alpha" {init = "constant", value = dense<0.0622312501> : tensor<10xf32>} : tensor<10xf32>
    %39 = cpq.param "fc2.weight.sigma" {init = "constant", value = dense<0.0155578125> : tensor<10xf32>} : tensor<10xf32>
    %40 = cpq.quantize %36, %38, %39 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<10x512xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<10x512xf32>
    %41 = cpq.dense %35, %40, %37 : (tensor<?x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %41 : tensor<?x10xf32>
  }
}

