/* A C program's use of cpq_runtime.h (compiled as C): load a kernel, make a
 * dense buffer for each of its arguments from the manifest, fill the inputs
 * with a fixed pattern, and call it. Used by test_c_api.cpp. */
#include "c_api_client.h"

#include "cpq/runtime/cpq_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 128

int c_client_run(const char *prefix, int batch, float *loss, int *correct, char *error, size_t error_size) {
  cpq_kernel *k = cpq_kernel_load(prefix, error, error_size);
  if (!k) return 1;
  const int count = cpq_kernel_argument_count(k);
  if (count > MAX_ARGS) {
    snprintf(error, error_size, "too many arguments");
    cpq_kernel_free(k);
    return 1;
  }
  halide_buffer_t buffers[MAX_ARGS];
  halide_dimension_t dims[MAX_ARGS][8];
  const char *buffer_names[MAX_ARGS], *scalar_names[MAX_ARGS];
  halide_buffer_t *buffer_ptrs[MAX_ARGS];
  cpq_scalar scalars[MAX_ARGS];
  void *memory[MAX_ARGS];
  int nb = 0, ns = 0, status = 0;
  memset(buffers, 0, sizeof buffers);
  for (int i = 0; i < count; ++i) {
    cpq_argument a;
    cpq_kernel_argument(k, i, &a);
    if (!a.is_buffer) {
      scalar_names[ns] = a.name;
      scalars[ns].is_integer = a.type.code != halide_type_float;
      scalars[ns].integer = strcmp(a.role, "step") == 0 ? 3 : 17;
      scalars[ns].real = 0.01;
      ++ns;
      continue;
    }
    int32_t stride = 1;
    for (int d = a.rank - 1, h = 0; d >= 0; --d, ++h) {
      const int32_t extent = a.shape[d] < 0 ? batch : (int32_t)a.shape[d];
      dims[nb][h].min = 0, dims[nb][h].extent = extent, dims[nb][h].stride = stride, dims[nb][h].flags = 0;
      stride *= extent;
    }
    const size_t bytes = (size_t)stride * ((a.type.bits + 7) / 8);
    memory[nb] = calloc(bytes ? bytes : 1, 1);
    buffers[nb].host = (uint8_t *)memory[nb];
    buffers[nb].type = a.type;
    buffers[nb].dimensions = a.rank;
    buffers[nb].dim = dims[nb];
    if (!a.is_output) {
      for (int32_t e = 0; e < stride; ++e) {
        if (a.type.code == halide_type_int)
          ((int32_t *)memory[nb])[e] = e % 3;
        else
          ((float *)memory[nb])[e] = 0.05f + 0.01f * (float)(e % 50);
      }
    }
    buffer_names[nb] = a.name;
    buffer_ptrs[nb] = &buffers[nb];
    ++nb;
  }
  status = cpq_kernel_call(k, nb, buffer_names, buffer_ptrs, ns, scalar_names, scalars, error, error_size);
  for (int i = 0; i < nb; ++i) {
    if (strcmp(buffer_names[i], "loss") == 0) *loss = *(float *)memory[i];
    if (strcmp(buffer_names[i], "correct") == 0) *correct = *(int32_t *)memory[i];
  }
  for (int i = 0; i < nb; ++i) free(memory[i]);
  cpq_kernel_free(k);
  return status;
}
