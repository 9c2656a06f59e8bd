// Malformed input to cpq-opt gives a located diagnostic and exit code 1,
// never a crash: each case runs cpq-opt, requires exit code 1 exactly and
// checks the message.
// UNKNOWN: malformed.mlir:[[@LINE+13]]:{{[0-9]+}}: error: custom op 'cpq.nonsense' is unknown

// SYNTAX: .syntax:4:1: error: expected '>'

// TYPES: .types:2:8: error: 'cpq.relu' op operand #0 must be ranked tensor of 32-bit float values, but got 'tensor<?x4xi32>'

// MISMATCH: .mismatch:2:17: error: use of value '%x' expects different type than prior uses: 'tensor<?x5xf32>' vs 'tensor<?x4xf32>'
%0 = cpq.nonsense

// EMPTY: .empty:1:1: error: empty input: expected a module with a network function

// BINARY: .bin:1:{{[0-9]+}}: error: unexpected character

// MISSING: .does-not-exist: error: cannot open input file

// VERIFY: .verify:2:8: error: 'cpq.param' op parameter "w" needs a static shape, got 'tensor<?xf32>'
