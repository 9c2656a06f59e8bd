// Generated from vgg_small.mlir; regenerate with
//   cpq-opt --cpq-quantize-network="weight-bits=2 activation-bits=2 dropbits-p=0.25" vgg_small.mlir
// (tests/dialect/examples.mlir checks that this file is what that command prints).
module {
  func @vgg_small(%arg0: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
    %0 = cpq.param "input.alpha" {init = "constant", trainable = false, value = dense<0.00392156886> : tensor<1xf32>} : tensor<1xf32>
    %1 = cpq.param "input.sigma" {init = "constant", trainable = false, value = dense<9.80392214E-4> : tensor<1xf32>} : tensor<1xf32>
    %2 = cpq.quantize %arg0, %0, %1 {bits = 8 : i64, grid = "unsigned"} : (tensor<?x1x28x28xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x1x28x28xf32>
    %3 = cpq.param "stem.weight" {init = "he_normal"} : tensor<32x1x3x3xf32>
    %4 = cpq.param "stem.bn.gamma" {init = "ones"} : tensor<32xf32>
    %5 = cpq.param "stem.bn.beta" {init = "zeros"} : tensor<32xf32>
    %6 = cpq.param "stem.bn.mean" {init = "zeros", trainable = false} : tensor<32xf32>
    %7 = cpq.param "stem.bn.var" {init = "ones", trainable = false} : tensor<32xf32>
    %8 = cpq.param "stem.weight.alpha" {init = "constant", value = dense<0.469377488> : tensor<32xf32>} : tensor<32xf32>
    %9 = cpq.param "stem.weight.sigma" {init = "constant", value = dense<0.117344372> : tensor<32xf32>} : tensor<32xf32>
    %10 = cpq.quantize %3, %8, %9 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<32x1x3x3xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x1x3x3xf32>
    %11 = cpq.conv2d %2, %10 {padding = [1, 1]} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x28x28xf32>
    %12 = cpq.batch_norm %11, %4, %5, %6, %7 : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
    %13 = cpq.relu %12 : tensor<?x32x28x28xf32>
    %14 = cpq.param "act1.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %15 = cpq.param "act1.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %16 = cpq.quantize %13, %14, %15 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x32x28x28xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x32x28x28xf32>
    %17 = cpq.param "stage1.conv1.weight" {init = "he_normal"} : tensor<32x32x3x3xf32>
    %18 = cpq.param "stage1.bn1.gamma" {init = "ones"} : tensor<32xf32>
    %19 = cpq.param "stage1.bn1.beta" {init = "zeros"} : tensor<32xf32>
    %20 = cpq.param "stage1.bn1.mean" {init = "zeros", trainable = false} : tensor<32xf32>
    %21 = cpq.param "stage1.bn1.var" {init = "ones", trainable = false} : tensor<32xf32>
    %22 = cpq.param "stage1.conv1.weight.alpha" {init = "constant", value = dense<8.297500e-02> : tensor<32xf32>} : tensor<32xf32>
    %23 = cpq.param "stage1.conv1.weight.sigma" {init = "constant", value = dense<0.02074375> : tensor<32xf32>} : tensor<32xf32>
    %24 = cpq.quantize %17, %22, %23 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<32x32x3x3xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x32x3x3xf32>
    %25 = cpq.conv2d %16, %24 {padding = [1, 1]} : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>) -> tensor<?x32x28x28xf32>
    %26 = cpq.batch_norm %25, %18, %19, %20, %21 : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
    %27 = cpq.relu %26 : tensor<?x32x28x28xf32>
    %28 = cpq.param "act2.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %29 = cpq.param "act2.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %30 = cpq.quantize %27, %28, %29 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x32x28x28xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x32x28x28xf32>
    %31 = cpq.param "stage1.conv2.weight" {init = "he_normal"} : tensor<32x32x3x3xf32>
    %32 = cpq.param "stage1.bn2.gamma" {init = "ones"} : tensor<32xf32>
    %33 = cpq.param "stage1.bn2.beta" {init = "zeros"} : tensor<32xf32>
    %34 = cpq.param "stage1.bn2.mean" {init = "zeros", trainable = false} : tensor<32xf32>
    %35 = cpq.param "stage1.bn2.var" {init = "ones", trainable = false} : tensor<32xf32>
    %36 = cpq.param "stage1.conv2.weight.alpha" {init = "constant", value = dense<8.297500e-02> : tensor<32xf32>} : tensor<32xf32>
    %37 = cpq.param "stage1.conv2.weight.sigma" {init = "constant", value = dense<0.02074375> : tensor<32xf32>} : tensor<32xf32>
    %38 = cpq.quantize %31, %36, %37 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<32x32x3x3xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x32x3x3xf32>
    %39 = cpq.conv2d %30, %38 {padding = [1, 1]} : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>) -> tensor<?x32x28x28xf32>
    %40 = cpq.batch_norm %39, %32, %33, %34, %35 : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
    %41 = cpq.add %40, %16 : tensor<?x32x28x28xf32>
    %42 = cpq.relu %41 : tensor<?x32x28x28xf32>
    %43 = cpq.param "act3.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %44 = cpq.param "act3.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %45 = cpq.quantize %42, %43, %44 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x32x28x28xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x32x28x28xf32>
    %46 = cpq.maxpool2d %45 {kernel = [2, 2]} : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x14xf32>
    %47 = cpq.param "stage2.conv0.weight" {init = "he_normal"} : tensor<64x32x3x3xf32>
    %48 = cpq.param "stage2.bn0.gamma" {init = "ones"} : tensor<64xf32>
    %49 = cpq.param "stage2.bn0.beta" {init = "zeros"} : tensor<64xf32>
    %50 = cpq.param "stage2.bn0.mean" {init = "zeros", trainable = false} : tensor<64xf32>
    %51 = cpq.param "stage2.bn0.var" {init = "ones", trainable = false} : tensor<64xf32>
    %52 = cpq.param "stage2.conv0.weight.alpha" {init = "constant", value = dense<8.297500e-02> : tensor<64xf32>} : tensor<64xf32>
    %53 = cpq.param "stage2.conv0.weight.sigma" {init = "constant", value = dense<0.02074375> : tensor<64xf32>} : tensor<64xf32>
    %54 = cpq.quantize %47, %52, %53 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<64x32x3x3xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64x32x3x3xf32>
    %55 = cpq.conv2d %46, %54 {padding = [1, 1]} : (tensor<?x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<?x64x14x14xf32>
    %56 = cpq.batch_norm %55, %48, %49, %50, %51 : (tensor<?x64x14x14xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
    %57 = cpq.relu %56 : tensor<?x64x14x14xf32>
    %58 = cpq.param "act4.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %59 = cpq.param "act4.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %60 = cpq.quantize %57, %58, %59 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x64x14x14xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x64x14x14xf32>
    %61 = cpq.param "stage2.conv1.weight" {init = "he_normal"} : tensor<64x64x3x3xf32>
    %62 = cpq.param "stage2.bn1.gamma" {init = "ones"} : tensor<64xf32>
    %63 = cpq.param "stage2.bn1.beta" {init = "zeros"} : tensor<64xf32>
    %64 = cpq.param "stage2.bn1.mean" {init = "zeros", trainable = false} : tensor<64xf32>
    %65 = cpq.param "stage2.bn1.var" {init = "ones", trainable = false} : tensor<64xf32>
    %66 = cpq.param "stage2.conv1.weight.alpha" {init = "constant", value = dense<0.058672186> : tensor<64xf32>} : tensor<64xf32>
    %67 = cpq.param "stage2.conv1.weight.sigma" {init = "constant", value = dense<0.0146680465> : tensor<64xf32>} : tensor<64xf32>
    %68 = cpq.quantize %61, %66, %67 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<64x64x3x3xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64x64x3x3xf32>
    %69 = cpq.conv2d %60, %68 {padding = [1, 1]} : (tensor<?x64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x14x14xf32>
    %70 = cpq.batch_norm %69, %62, %63, %64, %65 : (tensor<?x64x14x14xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
    %71 = cpq.relu %70 : tensor<?x64x14x14xf32>
    %72 = cpq.param "act5.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %73 = cpq.param "act5.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %74 = cpq.quantize %71, %72, %73 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x64x14x14xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x64x14x14xf32>
    %75 = cpq.param "stage2.conv2.weight" {init = "he_normal"} : tensor<64x64x3x3xf32>
    %76 = cpq.param "stage2.bn2.gamma" {init = "ones"} : tensor<64xf32>
    %77 = cpq.param "stage2.bn2.beta" {init = "zeros"} : tensor<64xf32>
    %78 = cpq.param "stage2.bn2.mean" {init = "zeros", trainable = false} : tensor<64xf32>
    %79 = cpq.param "stage2.bn2.var" {init = "ones", trainable = false} : tensor<64xf32>
    %80 = cpq.param "stage2.conv2.weight.alpha" {init = "constant", value = dense<0.058672186> : tensor<64xf32>} : tensor<64xf32>
    %81 = cpq.param "stage2.conv2.weight.sigma" {init = "constant", value = dense<0.0146680465> : tensor<64xf32>} : tensor<64xf32>
    %82 = cpq.quantize %75, %80, %81 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<64x64x3x3xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64x64x3x3xf32>
    %83 = cpq.conv2d %74, %82 {padding = [1, 1]} : (tensor<?x64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x14x14xf32>
    %84 = cpq.batch_norm %83, %76, %77, %78, %79 : (tensor<?x64x14x14xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
    %85 = cpq.add %84, %60 : tensor<?x64x14x14xf32>
    %86 = cpq.relu %85 : tensor<?x64x14x14xf32>
    %87 = cpq.param "act6.alpha" {init = "constant", value = dense<0.333333343> : tensor<1xf32>} : tensor<1xf32>
    %88 = cpq.param "act6.sigma" {init = "constant", value = dense<0.0833333358> : tensor<1xf32>} : tensor<1xf32>
    %89 = cpq.quantize %86, %87, %88 {bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "unsigned"} : (tensor<?x64x14x14xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x64x14x14xf32>
    %90 = cpq.maxpool2d %89 {kernel = [2, 2]} : (tensor<?x64x14x14xf32>) -> tensor<?x64x7x7xf32>
    %91 = cpq.avgpool2d %90 {kernel = [7, 7]} : (tensor<?x64x7x7xf32>) -> tensor<?x64x1x1xf32>
    %92 = cpq.flatten %91 : (tensor<?x64x1x1xf32>) -> tensor<?x64xf32>
    %93 = cpq.param "fc.weight" {init = "he_normal"} : tensor<10x64xf32>
    %94 = cpq.param "fc.bias" {init = "zeros"} : tensor<10xf32>
    %95 = cpq.param "fc.weight.alpha" {init = "constant", value = dense<0.176016554> : tensor<10xf32>} : tensor<10xf32>
    %96 = cpq.param "fc.weight.sigma" {init = "constant", value = dense<0.0440041386> : tensor<10xf32>} : tensor<10xf32>
    %97 = cpq.quantize %93, %95, %96 {axis = 0 : i64, bits = 2 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<10x64xf32>, tensor<10xf32>, tensor<10xf32>) -> tensor<10x64xf32>
    %98 = cpq.dense %92, %97, %94 : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    return %98 : tensor<?x10xf32>
  }
}

