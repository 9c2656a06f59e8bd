/* A C program's use of the packed-model part of cpq_runtime.h (compiled as
 * C): load a model file and the same network compiled with its weights in,
 * run both on one batch of a fixed pattern, and compare their outputs bit
 * for bit; then the refusals (NULL path, a file that is not a model, a
 * parameter passed as data), each a message. Prints one line per check and
 * exits 0 only if all hold. Used by tests/run/cpq_run_test.sh.
 *
 *   c_model_client MODEL.safetensors KERNEL_PREFIX NOT_A_MODEL */
#include "cpq/runtime/cpq_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 16
#define BATCH 7

typedef struct {
  int count;
  const char *names[MAX_ARGS];
  halide_buffer_t buffers[MAX_ARGS];
  halide_buffer_t *pointers[MAX_ARGS];
  halide_dimension_t dims[MAX_ARGS][8];
  size_t bytes[MAX_ARGS];
} Buffers;

/* A dense buffer for argument `a`, inputs filled with a fixed pattern. */
static int add_buffer(Buffers *b, const cpq_argument *a) {
  const int i = b->count;
  if (i >= MAX_ARGS || a->rank > 8 || !a->is_buffer) return 1;
  int32_t stride = 1;
  for (int d = a->rank - 1, h = 0; d >= 0; --d, ++h) {
    const int32_t extent = a->shape[d] < 0 ? BATCH : (int32_t)a->shape[d];
    b->dims[i][h].min = 0, b->dims[i][h].extent = extent, b->dims[i][h].stride = stride, b->dims[i][h].flags = 0;
    stride *= extent;
  }
  b->bytes[i] = (size_t)stride * ((a->type.bits + 7) / 8);
  memset(&b->buffers[i], 0, sizeof b->buffers[i]);
  b->buffers[i].host = (uint8_t *)calloc(b->bytes[i] ? b->bytes[i] : 1, 1);
  b->buffers[i].type = a->type;
  b->buffers[i].dimensions = a->rank;
  b->buffers[i].dim = b->dims[i];
  if (!a->is_output && a->type.code == halide_type_float && a->type.bits == 32)
    for (int32_t e = 0; e < stride; ++e) ((float *)b->buffers[i].host)[e] = (float)((e * 37) % 101) / 100.0f;
  b->names[i] = a->name;
  b->pointers[i] = &b->buffers[i];
  b->count = i + 1;
  return 0;
}

static void free_buffers(Buffers *b) {
  for (int i = 0; i < b->count; ++i) free(b->buffers[i].host);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: c_model_client MODEL.safetensors KERNEL_PREFIX NOT_A_MODEL\n");
    return 2;
  }
  char error[512];
  int failures = 0;
  cpq_model *m = cpq_model_load(argv[1], error, sizeof error);
  if (!m) {
    fprintf(stderr, "c_model_client: %s\n", error);
    return 1;
  }
  cpq_kernel *k = cpq_kernel_load(argv[2], error, sizeof error);
  if (!k) {
    fprintf(stderr, "c_model_client: %s\n", error);
    cpq_model_free(m);
    return 1;
  }
  printf("model %s: function %s, %d data arguments, %lld bytes\n", argv[1], cpq_model_function(m),
         cpq_model_argument_count(m), (long long)cpq_model_file_bytes(m));
  Buffers mb = {0}, kb = {0};
  for (int i = 0; i < cpq_model_argument_count(m); ++i) {
    cpq_argument a;
    if (cpq_model_argument(m, i, &a) || add_buffer(&mb, &a)) {
      fprintf(stderr, "c_model_client: model argument %d\n", i);
      return 1;
    }
  }
  for (int i = 0; i < cpq_kernel_argument_count(k); ++i) {
    cpq_argument a;
    if (cpq_kernel_argument(k, i, &a) || add_buffer(&kb, &a)) {
      fprintf(stderr, "c_model_client: kernel argument %d\n", i);
      return 1;
    }
  }
  if (cpq_model_call(m, mb.count, mb.names, mb.pointers, error, sizeof error)) {
    printf("FAIL model call: %s\n", error);
    ++failures;
  }
  if (cpq_kernel_call(k, kb.count, kb.names, kb.pointers, 0, NULL, NULL, error, sizeof error)) {
    printf("FAIL kernel call: %s\n", error);
    ++failures;
  }
  if (mb.count != kb.count) {
    printf("FAIL the model takes %d data arguments, the kernel %d\n", mb.count, kb.count);
    ++failures;
  }
  for (int i = 0; i < mb.count && i < kb.count; ++i) {
    const int same = strcmp(mb.names[i], kb.names[i]) == 0 && mb.bytes[i] == kb.bytes[i] &&
                     memcmp(mb.buffers[i].host, kb.buffers[i].host, mb.bytes[i]) == 0;
    size_t nonzero = 0;
    for (size_t b = 0; b < mb.bytes[i]; ++b) nonzero += mb.buffers[i].host[b] != 0;
    printf("%s %s: %zu bytes, %zu nonzero\n", same && nonzero ? "equal" : "FAIL", mb.names[i], mb.bytes[i], nonzero);
    failures += !same || !nonzero;
  }
  /* Refusals. */
  if (cpq_model_load(NULL, error, sizeof error) || strcmp(error, "cpq_model_load: path is NULL") != 0) {
    printf("FAIL NULL path: %s\n", error);
    ++failures;
  }
  error[0] = '\0';
  if (cpq_model_load(argv[3], error, sizeof error) || !strstr(error, argv[3])) {
    printf("FAIL not a model: '%s'\n", error);
    ++failures;
  } else {
    printf("refused %s: %s\n", argv[3], error);
  }
  /* A parameter (any kernel argument the model binds) passed as data. */
  halide_buffer_t *extra[MAX_ARGS + 1];
  const char *extra_names[MAX_ARGS + 1];
  for (int i = 0; i < mb.count; ++i) extra[i] = mb.pointers[i], extra_names[i] = mb.names[i];
  extra[mb.count] = mb.pointers[0];
  extra_names[mb.count] = "input_alpha";
  if (!cpq_model_call(m, mb.count + 1, extra_names, extra, error, sizeof error) ||
      !strstr(error, "one of the model's parameters")) {
    printf("FAIL a parameter passed as data: '%s'\n", error);
    ++failures;
  } else {
    printf("refused a parameter as data: %s\n", error);
  }
  free_buffers(&mb);
  free_buffers(&kb);
  cpq_kernel_free(k);
  cpq_model_free(m);
  printf("%s\n", failures ? "FAILED" : "all checks passed");
  return failures ? 1 : 0;
}
