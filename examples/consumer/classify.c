/* A plain C program that uses the installed C runtime through pkg-config:
 *
 *   cc classify.c $(pkg-config --cflags --libs cpq-runtime) -lz -o classify
 *
 * Loads a packed model file (cpq-compile --model), classifies the first N
 * images of an IDX image set (gzip or plain, 28x28 grey, entering as
 * byte / 255 as in cpq-train and cpq-run), prints the accuracy, and writes
 * index,label,prediction per image to PREDICTIONS (the format of cpq-run
 * --predictions) when given.
 *
 *   classify MODEL.safetensors IMAGES.gz LABELS.gz [N [PREDICTIONS.csv]] */
#include <cpq/runtime/cpq_runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BATCH 100

/* Reads an IDX file (gzip or plain: gzread reads both) with `dims`
 * dimensions; returns its bytes after the header and sets count and, for
 * images, rows and cols. NULL with a message on stderr. */
static unsigned char *read_idx(const char *path, int dims, long *count, long *rows, long *cols) {
  gzFile f = gzopen(path, "rb");
  if (!f) {
    fprintf(stderr, "classify: %s: cannot open\n", path);
    return NULL;
  }
  unsigned char header[16];
  const int header_bytes = 4 + 4 * dims;
  if (gzread(f, header, header_bytes) != header_bytes || header[0] || header[1] || header[2] != 8 ||
      header[3] != dims) {
    fprintf(stderr, "classify: %s: not an IDX file of %d-dimensional unsigned bytes\n", path, dims);
    gzclose(f);
    return NULL;
  }
  long size[3] = {1, 1, 1};
  for (int d = 0; d < dims; ++d)
    size[d] = ((long)header[4 + 4 * d] << 24) | (header[5 + 4 * d] << 16) | (header[6 + 4 * d] << 8) | header[7 + 4 * d];
  if (size[0] > (1L << 24) || size[1] > 4096 || size[2] > 4096) {
    fprintf(stderr, "classify: %s: implausible sizes %ld x %ld x %ld\n", path, size[0], size[1], size[2]);
    gzclose(f);
    return NULL;
  }
  *count = size[0];
  if (rows) *rows = size[1], *cols = size[2];
  const long bytes = size[0] * size[1] * size[2];
  unsigned char *data = malloc(bytes ? (size_t)bytes : 1);
  if (!data || gzread(f, data, (unsigned)bytes) != bytes) {
    fprintf(stderr, "classify: %s: truncated (expected %ld bytes of data)\n", path, bytes);
    free(data);
    gzclose(f);
    return NULL;
  }
  gzclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 6) {
    fprintf(stderr, "usage: classify MODEL.safetensors IMAGES.gz LABELS.gz [N [PREDICTIONS.csv]]\n");
    return 2;
  }
  char error[1024];
  cpq_model *model = cpq_model_load(argv[1], error, sizeof error);
  if (!model) {
    fprintf(stderr, "classify: %s\n", error);
    return 1;
  }
  /* The model's data arguments: one input image batch, one output. */
  cpq_argument input = {0}, output = {0};
  int inputs = 0, outputs = 0;
  for (int i = 0; i < cpq_model_argument_count(model); ++i) {
    cpq_argument a;
    cpq_model_argument(model, i, &a);
    if (a.is_output) output = a, ++outputs;
    else input = a, ++inputs;
  }
  if (inputs != 1 || outputs != 1 || input.rank != 4 || output.rank != 2 || input.shape[1] != 1) {
    fprintf(stderr, "classify: %s: expected a network of one grey image batch [N,1,H,W] to [N,K]\n", argv[1]);
    cpq_model_free(model);
    return 1;
  }
  long count = 0, rows = 0, cols = 0, label_count = 0;
  unsigned char *pixels = read_idx(argv[2], 3, &count, &rows, &cols);
  unsigned char *labels = pixels ? read_idx(argv[3], 1, &label_count, NULL, NULL) : NULL;
  if (!pixels || !labels) return 1;
  if (rows != input.shape[2] || cols != input.shape[3] || label_count != count) {
    fprintf(stderr, "classify: %s has %ld images of %ldx%ld and %s %ld labels; the model takes %lldx%lld\n", argv[2],
            count, rows, cols, argv[3], label_count, (long long)input.shape[2], (long long)input.shape[3]);
    return 1;
  }
  long n = argc > 4 ? atol(argv[4]) : count;
  if (n <= 0 || n > count) n = count;
  FILE *csv = NULL;
  /* Written to PREDICTIONS.tmp, renamed when complete. */
  char csv_tmp[4096] = "";
  if (argc > 5) {
    snprintf(csv_tmp, sizeof csv_tmp, "%s.tmp", argv[5]);
    if (!(csv = fopen(csv_tmp, "w"))) {
      fprintf(stderr, "classify: %s: cannot write\n", csv_tmp);
      return 1;
    }
  }
  if (csv) fprintf(csv, "index,label,prediction\n");

  const long classes = output.shape[1], image = rows * cols;
  float *x = malloc(sizeof(float) * BATCH * image), *y = malloc(sizeof(float) * BATCH * classes);
  const float scale = 1.0f / 255.0f;
  long correct = 0;
  for (long first = 0; first < n; first += BATCH) {
    const int b = (int)(n - first < BATCH ? n - first : BATCH);
    for (long p = 0; p < b * image; ++p) x[p] = (float)pixels[first * image + p] * scale;
    /* Halide buffers list the innermost (last MLIR) axis first. */
    halide_dimension_t xd[4] = {{0, (int32_t)cols, 1, 0}, {0, (int32_t)rows, (int32_t)cols, 0},
                                {0, 1, (int32_t)image, 0}, {0, b, (int32_t)image, 0}};
    halide_dimension_t yd[2] = {{0, (int32_t)classes, 1, 0}, {0, b, (int32_t)classes, 0}};
    halide_buffer_t xb = {0}, yb = {0};
    xb.host = (uint8_t *)x, xb.type = input.type, xb.dimensions = 4, xb.dim = xd;
    yb.host = (uint8_t *)y, yb.type = output.type, yb.dimensions = 2, yb.dim = yd;
    const char *names[2] = {input.name, output.name};
    halide_buffer_t *buffers[2] = {&xb, &yb};
    if (cpq_model_call(model, 2, names, buffers, error, sizeof error)) {
      fprintf(stderr, "classify: %s\n", error);
      return 1;
    }
    for (int i = 0; i < b; ++i) {
      int best = 0;
      for (int k = 1; k < classes; ++k)
        if (y[i * classes + k] > y[i * classes + best]) best = k;
      correct += best == labels[first + i];
      if (csv) fprintf(csv, "%ld,%d,%d\n", first + i, labels[first + i], best);
    }
  }
  if (csv && (fclose(csv) != 0 || rename(csv_tmp, argv[5]) != 0)) {
    fprintf(stderr, "classify: %s: cannot write\n", argv[5]);
    remove(csv_tmp);
    return 1;
  }
  printf("classify: %s (%s): %ld of %ld images right, %.2f%%\n", argv[1], cpq_model_function(model), correct, n,
         100.0 * (double)correct / (double)n);
  free(x), free(y), free(pixels), free(labels);
  cpq_model_free(model);
  return 0;
}
