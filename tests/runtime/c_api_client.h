/* The C client of test_c_api.cpp. */
#pragma once
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif
/* Loads PREFIX, calls it at `batch` with fixed inputs; 0 on success. */
int c_client_run(const char *prefix, int batch, float *loss, int *correct, char *error, size_t error_size);
#ifdef __cplusplus
}
#endif
