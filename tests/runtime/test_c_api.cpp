//===- test_c_api.cpp - the runtime's C API ----------------------------------===//
//
// A C client (c_api_client.c, compiled as C) runs loaded_net's train_step
// through cpq_runtime.h and gets what the C++ loader gets from the same
// inputs; the API's argument listing matches the manifest; every misuse is a
// status and a message, messages are truncated safely.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE c_api
#include <boost/test/unit_test.hpp>

#include "c_api_client.h"
#include "cpq/runtime/cpq_runtime.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/tensor.h"

#include <cstring>
#include <memory>

using namespace cpq::runtime;

namespace {

std::unique_ptr<Kernel> load_cxx() {
  std::string error;
  auto k = Kernel::load(CPQ_LOADED_NET, error);
  BOOST_TEST_REQUIRE(k.get(), error);
  return k;
}

struct CKernel {
  cpq_kernel *k = nullptr;
  CKernel() {
    char error[512];
    k = cpq_kernel_load(CPQ_LOADED_NET, error, sizeof error);
    BOOST_TEST_REQUIRE(k != nullptr, error);
  }
  ~CKernel() { cpq_kernel_free(k); }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_c_client_gets_what_the_cxx_loader_gets) {
  for (int batch : {1, 5, 64}) {
    char error[512] = "";
    float loss = -1;
    int correct = -1;
    BOOST_TEST_REQUIRE(c_client_run(CPQ_LOADED_NET, batch, &loss, &correct, error, sizeof error) == 0, error);
    // The same inputs through the C++ loader.
    auto k = load_cxx();
    std::map<std::string, std::unique_ptr<HostTensor>> t;
    std::map<std::string, halide_buffer_t *> buffers;
    std::map<std::string, Scalar> scalars;
    for (const KernelArgument &a : k->arguments()) {
      if (!a.buffer) {
        scalars[a.name] = a.type.code == halide_type_float ? Scalar::of(0.01) : Scalar::of_int(a.role == "step" ? 3 : 17);
        continue;
      }
      auto h = std::make_unique<HostTensor>(a, batch);
      if (!a.output)
        for (std::size_t e = 0; e < h->count(); ++e) {
          if (a.type.code == halide_type_int)
            h->data<std::int32_t>()[e] = std::int32_t(e % 3);
          else
            h->data<float>()[e] = 0.05f + 0.01f * float(e % 50);
        }
      buffers[a.name] = h->buffer();
      t[a.name] = std::move(h);
    }
    std::string message;
    BOOST_TEST_REQUIRE(k->call(buffers, scalars, message), message);
    BOOST_TEST(loss == t["loss"]->data<float>()[0], "batch " << batch);
    BOOST_TEST(correct == t["correct"]->data<std::int32_t>()[0], "batch " << batch);
  }
}

BOOST_AUTO_TEST_CASE(arguments_are_listed_as_the_manifest_has_them) {
  CKernel c;
  auto k = load_cxx();
  BOOST_TEST(std::string(cpq_kernel_function(c.k)) == k->function());
  BOOST_TEST_REQUIRE(cpq_kernel_argument_count(c.k) == int(k->arguments().size()));
  for (int i = 0; i < cpq_kernel_argument_count(c.k); ++i) {
    cpq_argument a;
    BOOST_TEST_REQUIRE(cpq_kernel_argument(c.k, i, &a) == 0);
    const KernelArgument &b = k->arguments()[std::size_t(i)];
    BOOST_TEST(a.name == b.name);
    BOOST_TEST(a.role == b.role);
    BOOST_TEST(bool(a.is_output) == b.output);
    BOOST_TEST(bool(a.is_buffer) == b.buffer);
    BOOST_TEST((a.type.code == b.type.code && a.type.bits == b.type.bits));
    BOOST_TEST(std::vector<std::int64_t>(a.shape, a.shape + a.rank) == b.shape);
  }
  cpq_argument a;
  BOOST_TEST(cpq_kernel_argument(c.k, -1, &a) != 0);
  BOOST_TEST(cpq_kernel_argument(c.k, cpq_kernel_argument_count(c.k), &a) != 0);
  BOOST_TEST(cpq_kernel_argument(nullptr, 0, &a) != 0);
  BOOST_TEST(cpq_kernel_argument_count(nullptr) == 0);
}

BOOST_AUTO_TEST_CASE(misuse_is_a_status_and_a_message) {
  char error[512];
  BOOST_TEST(cpq_kernel_load("/nonexistent/net", error, sizeof error) == nullptr);
  BOOST_TEST(std::string(error).find("/nonexistent/net") != std::string::npos, error);
  BOOST_TEST(cpq_kernel_load(nullptr, error, sizeof error) == nullptr);
  BOOST_TEST(std::string(error) == "cpq_kernel_load: prefix is NULL");
  // Truncated, always terminated.
  char small[8];
  BOOST_TEST(cpq_kernel_load(nullptr, small, sizeof small) == nullptr);
  BOOST_TEST(std::string(small) == "cpq_ker");
  BOOST_TEST(cpq_kernel_load(nullptr, nullptr, 0) == nullptr); // no room for a message: no write

  CKernel c;
  BOOST_TEST(cpq_kernel_call(nullptr, 0, nullptr, nullptr, 0, nullptr, nullptr, error, sizeof error) == 1);
  BOOST_TEST(std::string(error) == "cpq_kernel_call: kernel is NULL");
  BOOST_TEST(cpq_kernel_call(c.k, 1, nullptr, nullptr, 0, nullptr, nullptr, error, sizeof error) == 1);
  BOOST_TEST(std::string(error) == "cpq_kernel_call: negative count or NULL array");
  // Nothing given: the loader's own check names the first missing argument.
  BOOST_TEST(cpq_kernel_call(c.k, 0, nullptr, nullptr, 0, nullptr, nullptr, error, sizeof error) == 1);
  BOOST_TEST(std::string(error).find("is missing") != std::string::npos, error);
  // One name twice.
  HostTensor w(halide_type_t(halide_type_float, 32), {4});
  const char *names[] = {"b1", "b1"};
  halide_buffer_t *bufs[] = {w.buffer(), w.buffer()};
  BOOST_TEST(cpq_kernel_call(c.k, 2, names, bufs, 0, nullptr, nullptr, error, sizeof error) == 1);
  BOOST_TEST(std::string(error) == "buffer 'b1' is given twice");
  const char *snames[] = {"step", "step"};
  const cpq_scalar s[] = {{1, 3, 0}, {1, 3, 0}};
  BOOST_TEST(cpq_kernel_call(c.k, 0, nullptr, nullptr, 2, snames, s, error, sizeof error) == 1);
  BOOST_TEST(std::string(error) == "scalar 'step' is given twice");
  cpq_kernel_free(nullptr); // allowed, as free(NULL)
}
