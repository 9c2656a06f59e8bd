/*===- cpq_runtime.h - the runtime's C API ---------------------------------===*
 *
 * For programs in other languages (and C): load a kernel cpq-compile made
 * (PREFIX.so + PREFIX.json), list its arguments, and call it with buffers and
 * scalars named as its manifest names them; or load a packed model file and
 * call it with its data buffers (cpq_model_*, below). Every check of the C++ loader
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

/* Packed models: a model file `cpq-compile --model` wrote (.safetensors)
 * opened with the kernel its metadata names, every parameter checked and
 * bound (cpq/runtime/model.h). A call takes only the data arguments:
 *
 *   cpq_model *m = cpq_model_load("runs/w2a2/model.safetensors", err, sizeof err);
 *   const char *names[] = {"image", "logits"};
 *   halide_buffer_t *bufs[] = {&images, &logits};
 *   cpq_model_call(m, 2, names, bufs, err, sizeof err);
 *   cpq_model_free(m);
 */
typedef struct cpq_model cpq_model;

cpq_model *cpq_model_load(const char *path, char *error, size_t error_size);
/* cpq_model_load loads only a kernel in the model file's own folder, and a
 * kernel of the pinned SHA-256 when the file pins one; these flags of
 * cpq_model_load_options relax or tighten that. */
enum {
  CPQ_MODEL_ANY_KERNEL_PATH = 1,      /* also kernels outside the model's folder */
  CPQ_MODEL_REQUIRE_PINNED_KERNEL = 2 /* refuse a file that pins no SHA-256 */
};
cpq_model *cpq_model_load_options(const char *path, int flags, char *error, size_t error_size);
void cpq_model_free(cpq_model *model);

/* The kernel's function name. */
const char *cpq_model_function(const cpq_model *model);
/* The data arguments (the kernel's arguments other than the model's
 * parameters: the input and the outputs), as cpq_kernel_argument gives them. */
int cpq_model_argument_count(const cpq_model *model);
int cpq_model_argument(const cpq_model *model, int index, cpq_argument *out);
/* The model file's size on disk in bytes. */
int64_t cpq_model_file_bytes(const cpq_model *model);

/* Runs the model on every data argument, named as cpq_model_argument names
 * them. Returns 0 on success. */
int cpq_model_call(const cpq_model *model, int buffer_count, const char *const *buffer_names,
                   halide_buffer_t *const *buffers, char *error, size_t error_size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CPQ_RUNTIME_CPQ_RUNTIME_H */
