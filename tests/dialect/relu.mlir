// RUN: cpq-opt %s | FileCheck %s
// RUN: cpq-opt %s | cpq-opt | FileCheck %s

// CHECK-LABEL: func @relu
// CHECK: cpq.relu %{{.*}} : tensor<?x3x4x4xf32>
func @relu(%x: tensor<?x3x4x4xf32>) -> tensor<?x3x4x4xf32> {
  %y = cpq.relu %x : tensor<?x3x4x4xf32>
  return %y : tensor<?x3x4x4xf32>
}
