// Malformed input gives a located diagnostic and exit code 1, never a crash.
// RUN: not cpq-opt %s 2>&1 | FileCheck %s
// RUN: printf '' > %t.empty && cpq-opt %t.empty | FileCheck %s --check-prefix=EMPTY
// RUN: printf '\x00\x01\xff\xfe' > %t.bin && not cpq-opt %t.bin 2>&1 | FileCheck %s --check-prefix=BINARY

// EMPTY: module {
// BINARY: error:

// CHECK: malformed.mlir:[[@LINE+1]]:{{[0-9]+}}: error: custom op 'cpq.nonsense' is unknown
%0 = cpq.nonsense
