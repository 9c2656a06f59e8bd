// Malformed input to cpq-opt gives a located diagnostic and exit code 1,
// never a crash: each case runs cpq-opt, requires exit code 1 exactly and
// checks the message.
// RUN: cpq-opt %s 2> %t.unknown; test $? -eq 1 && FileCheck %s --check-prefix=UNKNOWN < %t.unknown
// UNKNOWN: malformed.mlir:[[@LINE+13]]:{{[0-9]+}}: error: custom op 'cpq.nonsense' is unknown

// RUN: printf 'func @f(%%%%x: tensor<?x4xf32>) -> tensor<?x4xf32> {\n  %%%%y = cpq.relu %%%%x : tensor<?x4xf32>\n  return %%%%y : tensor<?x4xf32\n}\n' > %t.syntax
// RUN: cpq-opt %t.syntax 2> %t.syntax.err; test $? -eq 1 && FileCheck %s --check-prefix=SYNTAX < %t.syntax.err
// SYNTAX: .syntax:4:1: error: expected '>'

// RUN: printf 'func @f(%%%%x: tensor<?x4xi32>) -> tensor<?x4xi32> {\n  %%%%y = cpq.relu %%%%x : tensor<?x4xi32>\n  return %%%%y : tensor<?x4xi32>\n}\n' > %t.types
// RUN: cpq-opt %t.types 2> %t.types.err; test $? -eq 1 && FileCheck %s --check-prefix=TYPES < %t.types.err
// TYPES: .types:2:8: error: 'cpq.relu' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<?x4xi32>'

// RUN: printf 'func @f(%%%%x: tensor<?x4xf32>) -> tensor<?x4xf32> {\n  %%%%y = cpq.relu %%%%x : tensor<?x5xf32>\n  return %%%%y : tensor<?x4xf32>\n}\n' > %t.mismatch
// RUN: cpq-opt %t.mismatch 2> %t.mismatch.err; test $? -eq 1 && FileCheck %s --check-prefix=MISMATCH < %t.mismatch.err
// MISMATCH: .mismatch:2:17: error: use of value '%x' expects different type than prior uses: 'tensor<?x5xf32>' vs 'tensor<?x4xf32>'
%0 = cpq.nonsense

// RUN: printf '' > %t.empty
// RUN: cpq-opt %t.empty 2> %t.empty.err; test $? -eq 1 && FileCheck %s --check-prefix=EMPTY < %t.empty.err
// EMPTY: .empty:1:1: error: empty input: expected a module with a network function

// RUN: printf '\x00\x01\xff\xfe\x7fELF' > %t.bin
// RUN: cpq-opt %t.bin 2> %t.bin.err; test $? -eq 1 && FileCheck %s --check-prefix=BINARY < %t.bin.err
// BINARY: .bin:1:{{[0-9]+}}: error: unexpected character

// RUN: cpq-opt %t.does-not-exist 2> %t.missing.err; test $? -eq 1 && FileCheck %s --check-prefix=MISSING < %t.missing.err
// MISSING: .does-not-exist: error: cannot open input file

// RUN: printf 'func @f() {\n  %%%%w = cpq.param "w" {init = "zeros"} : tensor<?xf32>\n  return\n}\n' > %t.verify
// RUN: cpq-opt %t.verify 2> %t.verify.err; test $? -eq 1 && FileCheck %s --check-prefix=VERIFY < %t.verify.err
// VERIFY: .verify:2:8: error: 'cpq.param' op parameter "w" needs a static shape, got 'tensor<?xf32>'
