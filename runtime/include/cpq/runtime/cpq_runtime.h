/*===- cpq_runtime.h - the runtime's C API ---------------------------------===*
 *
 * For programs in other languages (and C): load a kernel cpq-compile made
 * (PREFIX.so + PREFIX.json), list its arguments, and call it with buffers and
 * scalars named as its manifest names them. Every check of the C++ loader
 * (cpq/runtime/kernel.h) applies: a failing function returns a non-zero
 * status (or NULL) and writes a message naming the file or argument into
 * `error` (truncated to `error_size` bytes, always terminated).
 *
 *   char err[512];
 *   cpq_kernel *k = cpq_kernel_load("build/net/train_step", err, sizeof err);
 *   if (!k) { fprintf(stderr, "%s\n", err); return 1; }
 *   ...
 *   cpq_kernel_call(k, n, names, buffers, s, scalar_names, scalars, err, sizeof err);
 *   cpq_kernel_free(k);
 *
 *===----------------------------------------------------------------------===*/
#ifndef CPQ_RUNTIME_CPQ_RUNTIME_H
#define CPQ_RUNTIME_CPQ_RUNTIME_H

#include <HalideRuntime.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cpq_kernel cpq_kernel;

/* One argument as the manifest describes it. `name` and `role` live as long
 * as the kernel; `shape` is in MLIR order (outermost first), -1 marking the
 * dynamic batch; scalars have rank 0. */
typedef struct cpq_argument {
  const char *name;
  const char *role;
  int is_output;
  int is_buffer;
  struct halide_type_t type;
  int rank;
  const int64_t *shape;
} cpq_argument;

/* A scalar argument's value: `integer` for integer arguments, `real` for
 * floating-point ones (the other is ignored). */
typedef struct cpq_scalar {
  int is_integer;
  int64_t integer;
  double real;
} cpq_scalar;

cpq_kernel *cpq_kernel_load(const char *prefix, char *error, size_t error_size);
void cpq_kernel_free(cpq_kernel *kernel);

/* The function's name (e.g. "train_step"). */
const char *cpq_kernel_function(const cpq_kernel *kernel);
int cpq_kernel_argument_count(const cpq_kernel *kernel);
/* Fills `out` with argument `index` (0-based); non-zero when out of range. */
int cpq_kernel_argument(const cpq_kernel *kernel, int index, cpq_argument *out);

/* Runs the kernel with every buffer argument (inputs and outputs) named in
 * `buffer_names`/`buffers` and every scalar in `scalar_names`/`scalars`.
 * Returns 0 on success. */
int cpq_kernel_call(const cpq_kernel *kernel, int buffer_count, const char *const *buffer_names,
                    halide_buffer_t *const *buffers, int scalar_count, const char *const *scalar_names,
                    const cpq_scalar *scalars, char *error, size_t error_size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CPQ_RUNTIME_CPQ_RUNTIME_H */
