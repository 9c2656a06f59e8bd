//===- packed.cpp - packed integer products against DRAM and BLAS peers ------===//
//
// Measures cpq's packed integer matrix products (cpq/kernels/qgemm.h) on
// this machine and prints them against limits and peers measured in the
// same run (medians of --repeats timed runs after a warm-up):
//
//   gemv  y = W x, W 4096 x 4096 of 1, 2, 4 and 8 bits (panel layout), x
//         4096 unsigned 8-bit activations, over a set of distinct weight
//         matrices of more than 128 MiB visited in turn, so every product
//         reads its weights from DRAM: time against the roofline
//         bytes / (DRAM read bandwidth), the bandwidth measured by a plain
//         read of the same weight set by the same threads, timed in turn
//         with the products (this VM's bandwidth moves from minute to
//         minute); fraction = median of the per-repeat ratios.
//   gemm  C = A W^T, M = 256, K = N = 4096, A unsigned 8-bit: W2A8 and W4A8
//         (cpq/kernels/qgemm.h), and W1A1, +-1 weights times 0/1 activations
//         by AND and popcount (cpq/kernels/bgemm.h), in integer operations
//         per second (2 M N K) against OpenBLAS sgemm and oneDNN's int8
//         matmul (u8 x s8 -> s32, weights reordered once into its own layout)
//         of the same shape, when they are installed
//         (scripts/install-deps.sh --peers).
//
//   lenet5  LeNet-5 W2A2 packed inference (examples/networks/lenet5.mlir
//         quantized, its initial parameters bound, frozen with
//         cpq-inference-pipeline and compiled here, weights compiled in) in
//         images/s at batch 1 and 256, against PyTorch 1.13's float32
//         inference of the same network (bench/peers/infer_torch.py,
//         /usr/bin/python3, same threads); --skip-lenet5 leaves it out.
//
// Every qgemm result is checked against the portable implementation once
// before timing. Threads: --threads (default 2), OpenMP for cpq's panels,
// OpenBLAS's own threads, oneDNN's OpenMP. OPENBLAS_CORETYPE (which the
// inherited environment sets to Haswell, i.e. AVX2 only) is removed by
// re-running this program without it, and the core OpenBLAS chose printed.
//
// Usage: bench/packed [--json] [--repeats N] [--threads T] [--skip-gemm] [--skip-lenet5]
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/bgemm.h"
#include "cpq/kernels/qgemm.h"
#include "cpq/runtime/init.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"
#include "codegen/aot.h"
#include "codegen/network.h"
#include "peer.h"
#include "panels.h"
#include "roofline.h"

#include <omp.h>

#ifdef CPQ_HAVE_OPENBLAS
#include <cblas.h>
#endif
#ifdef CPQ_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace cpq;

namespace {

int repeats = 7, threads = 2;

bool same_as_portable(const PanelWeights &w, const std::vector<std::uint8_t> &a, std::int64_t m,
                      const std::vector<std::int32_t> &sums, const std::vector<std::int32_t> &c) {
  std::vector<std::int32_t> want(c.size());
  qgemm_u8_with(QgemmIsa::Portable, w, a.data(), m, w.k, sums.data(), want.data(), w.n, 0, w.panels);
  return want == c;
}

/// One GEMV row: medians over the repeats of the product's time per matrix
/// and of the time a plain read of the same weight set takes, measured in
/// turn (so a slow moment of this shared machine slows both); the fraction
/// of the roofline is the median of their per-repeat ratios.
struct GemvRow {
  int bits;
  double seconds, bytes, read_seconds, fraction;
  double gb_s() const { return bytes / seconds / 1e9; }
  double roofline_gb_s() const { return bytes / read_seconds / 1e9; }
};

GemvRow gemv(int bits, bool &exact) {
  const std::int64_t n = 4096, k = 4096;
  std::mt19937_64 rng(bits);
  std::vector<PanelWeights> set;
  std::size_t total = 0;
  while (total <= (std::size_t(160) << 20)) {
    set.push_back(bench::random_panels(bits, n, k, rng));
    total += set.back().bytes.size();
  }
  std::vector<std::uint8_t> x(static_cast<std::size_t>(k));
  for (auto &v : x) v = std::uint8_t(rng());
  std::vector<std::int32_t> sums(1), y(static_cast<std::size_t>(n));
  row_sums_u8(x.data(), 1, k, k, sums.data());
  bench::parallel_qgemm(set[0], x.data(), 1, sums.data(), y.data(), threads);
  exact = exact && same_as_portable(set[0], x, 1, sums, y);
  auto products = [&] {
    for (const PanelWeights &w : set) bench::parallel_qgemm(w, x.data(), 1, sums.data(), y.data(), threads);
  };
  auto reads = [&] {
    for (const PanelWeights &w : set) bench::stream_read(w.bytes.data(), w.bytes.size(), threads);
  };
  const bench::InTurn t = bench::time_in_turn(repeats, set.size(), products, reads);
  // The roofline counts x and y too (read and written once per product).
  const double weight_bytes = double(set[0].bytes.size());
  const double bytes = weight_bytes + double(x.size() + y.size() * sizeof(std::int32_t));
  const double scale = bytes / weight_bytes;
  return {bits, t.product_seconds, bytes, t.read_seconds * scale, t.fraction * scale};
}

struct GemmRow {
  std::string config;
  double seconds = 0, openblas = -1, onednn = -1; // seconds; -1: not measured
  double gops() const { return 2.0 * 256 * 4096 * 4096 / seconds / 1e9; }
};

double time_qgemm(int bits, bool binary_activations, bool &exact) {
  const std::int64_t m = 256, n = 4096, k = 4096;
  std::mt19937_64 rng(100 + bits);
  const PanelWeights w = bench::random_panels(bits, n, k, rng);
  std::vector<std::uint8_t> a(static_cast<std::size_t>(m * k));
  for (auto &v : a) v = binary_activations ? std::uint8_t(rng() & 1) : std::uint8_t(rng());
  std::vector<std::int32_t> sums(static_cast<std::size_t>(m)), c(std::size_t(m * n));
  row_sums_u8(a.data(), m, k, k, sums.data());
  bench::parallel_qgemm(w, a.data(), m, sums.data(), c.data(), threads);
  exact = exact && same_as_portable(w, a, m, sums, c);
  return bench::median_seconds(repeats, [&] { bench::parallel_qgemm(w, a.data(), m, sums.data(), c.data(), threads); });
}

/// W1A1: symmetric 1-bit weights (+-1) times unsigned 1-bit activations,
/// C = 2 popcount(a AND w) - popcount(a); checked against the plain sum on a
/// corner of the product.
double time_w1a1(bool &exact) {
  const std::int64_t m = 256, n = 4096, k = 4096;
  std::mt19937_64 rng(7);
  std::vector<std::uint8_t> av(static_cast<std::size_t>(m * k)), wv(static_cast<std::size_t>(n * k));
  for (auto &v : av) v = std::uint8_t(rng() & 1);
  for (auto &v : wv) v = std::uint8_t(rng() & 1);
  const BitRows a = to_bit_rows(av.data(), m, k, k), w = to_bit_rows(wv.data(), n, k, k);
  std::vector<std::int32_t> counts(static_cast<std::size_t>(m)), c(static_cast<std::size_t>(m * n));
  auto product = [&] {
    bit_row_counts(a, counts.data());
#pragma omp parallel num_threads(threads)
    {
      const std::int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
      const std::int64_t n0 = n * t / nt, n1 = n * (t + 1) / nt;
      bgemm_and_popcount(a, w, c.data(), n, n0, n1);
      for (std::int64_t r = 0; r < m; ++r)
        for (std::int64_t o = n0; o < n1; ++o) c[std::size_t(r * n + o)] = 2 * c[std::size_t(r * n + o)] - counts[std::size_t(r)];
    }
  };
  product();
  for (std::int64_t r = 0; r < 8; ++r)
    for (std::int64_t o = 0; o < 64; ++o) {
      std::int32_t want = 0;
      for (std::int64_t i = 0; i < k; ++i) want += av[std::size_t(r * k + i)] * (wv[std::size_t(o * k + i)] ? 1 : -1);
      exact = exact && c[std::size_t(r * n + o)] == want;
    }
  return bench::median_seconds(repeats, product);
}

#ifdef CPQ_HAVE_OPENBLAS
double time_openblas() {
  const int m = 256, n = 4096, k = 4096;
  std::vector<float> a(std::size_t(m) * k), w(std::size_t(n) * k), c(std::size_t(m) * n);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1, 1);
  for (auto &v : a) v = u(rng);
  for (auto &v : w) v = u(rng);
  openblas_set_num_threads(threads);
  return bench::median_seconds(repeats, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a.data(), k, w.data(), k, 0.0f, c.data(), n);
  });
}
#endif

#ifdef CPQ_HAVE_ONEDNN
std::string onednn_impl;
double time_onednn_int8() {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  const memory::dim m = 256, n = 4096, k = 4096;
  engine eng(engine::kind::cpu, 0);
  stream str(eng);
  const memory::desc a_md({m, k}, dt::u8, tag::ab), w_plain({k, n}, dt::s8, tag::ba), w_any({k, n}, dt::s8, tag::any),
      c_md({m, n}, dt::s32, tag::ab);
  matmul::primitive_desc pd(matmul::desc(a_md, w_any, c_md), eng);
  onednn_impl = pd.impl_info_str();
  memory a(a_md, eng), w_src(w_plain, eng), w(pd.weights_desc(), eng), c(c_md, eng);
  std::mt19937 rng(4);
  auto *ap = static_cast<std::uint8_t *>(a.get_data_handle());
  for (memory::dim i = 0; i < m * k; ++i) ap[i] = std::uint8_t(rng());
  auto *wp = static_cast<std::int8_t *>(w_src.get_data_handle());
  for (memory::dim i = 0; i < n * k; ++i) wp[i] = std::int8_t(rng());
  reorder(w_src, w).execute(str, w_src, w); // once, outside the timing
  str.wait();
  matmul mm(pd);
  return bench::median_seconds(repeats, [&] {
    mm.execute(str, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, c}});
    str.wait();
  });
}
#endif

/// The LeNet-5 W2A2 packed inference kernel, compiled into `folder`.
std::unique_ptr<cpq::runtime::Kernel> lenet5_w2a2_kernel(const std::string &folder, std::string &error) {
  cpq::codegen::NetworkOptions o;
  o.weight_bits = 2, o.activation_bits = 2;
  cpq::codegen::PreparedNetwork net;
  if (!cpq::codegen::prepare_network(CPQ_SOURCE_DIR "/examples/networks/lenet5.mlir", o, net, error)) return nullptr;
  cpq::safetensors::File params;
  if (!cpq::codegen::initial_parameters(net, 1, params, error)) return nullptr;
  const std::string network = folder + "/lenet5_w2a2.mlir", weights = folder + "/lenet5_w2a2.safetensors";
  if (!cpq::safetensors::write(weights, params, error)) return nullptr;
  {
    std::ofstream out(network);
    out << net.network_text;
    if (!out) {
      error = network + ": cannot write";
      return nullptr;
    }
  }
  cpq::codegen::AotOptions a;
  a.input = network, a.function = "inference", a.output = folder + "/lenet5_w2a2_packed";
  a.pipeline = "cpq-inference-pipeline{params=" + weights + "}";
  if (!cpq::codegen::compile_aot(a, error)) return nullptr;
  return cpq::runtime::Kernel::load(a.output, error);
}

struct LenetRow {
  int batch;
  double img_s, torch_img_s;
};

double lenet5_img_s(const cpq::runtime::Kernel &k, int batch) {
  using cpq::runtime::HostTensor;
  HostTensor images(halide_type_t(halide_type_float, 32), {batch, 1, 28, 28}), logits(halide_type_t(halide_type_float, 32), {batch, 10});
  std::mt19937 rng(5);
  for (std::size_t i = 0; i < images.count(); ++i) images.data<float>()[i] = float(rng() % 256) / 255.0f;
  std::string input, output;
  for (const auto &a : k.arguments()) (a.output ? output : input) = a.name;
  const int calls = std::max(1, 2048 / batch);
  const double s = bench::median_seconds(repeats, [&] {
    std::string error;
    for (int c = 0; c < calls; ++c)
      if (!k.call({{input, images.buffer()}, {output, logits.buffer()}}, {}, error)) {
        std::fprintf(stderr, "packed: %s\n", error.c_str());
        std::exit(1);
      }
  });
  return double(batch) * calls / s;
}

} // namespace

int main(int argc, char **argv) {
  if (std::getenv("OPENBLAS_CORETYPE")) { // read when OpenBLAS loads: run again without it
    unsetenv("OPENBLAS_CORETYPE");
    execv("/proc/self/exe", argv);
  }
  bool json = false, gemm = true, lenet = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--skip-gemm") {
      gemm = false;
    } else if (a == "--skip-lenet5") {
      lenet = false;
    } else if ((a == "--repeats" || a == "--threads") && i + 1 < argc) {
      (a == "--repeats" ? repeats : threads) = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench/packed [--json] [--repeats N] [--threads T] [--skip-gemm] [--skip-lenet5]\n");
      return 2;
    }
  }
  if (repeats < 1 || threads < 1) {
    std::fprintf(stderr, "packed: --repeats and --threads must be at least 1\n");
    return 2;
  }
  omp_set_num_threads(threads);
  bool exact = true;
  std::vector<GemvRow> gemv_rows;
  for (int bits : {1, 2, 4, 8}) gemv_rows.push_back(gemv(bits, exact));
  std::vector<GemmRow> gemm_rows;
  std::string corename = "not installed";
  if (gemm) {
    double openblas = -1, onednn = -1;
#ifdef CPQ_HAVE_OPENBLAS
    openblas = time_openblas();
    corename = openblas_get_corename();
#endif
#ifdef CPQ_HAVE_ONEDNN
    onednn = time_onednn_int8();
#endif
    for (auto [config, bits] : {std::pair<const char *, int>{"W2A8", 2}, {"W4A8", 4}, {"W1A1", 1}}) {
      GemmRow r;
      r.config = config;
      r.seconds = bits == 1 ? time_w1a1(exact) : time_qgemm(bits, false, exact);
      r.openblas = openblas, r.onednn = onednn;
      gemm_rows.push_back(r);
    }
  }
  std::vector<LenetRow> lenet_rows;
  std::string lenet_error;
  if (lenet) {
    char folder[] = "/tmp/cpq-bench-packed-XXXXXX";
    if (!mkdtemp(folder)) {
      std::fprintf(stderr, "packed: cannot make a temporary folder\n");
      return 1;
    }
    setenv("HL_NUM_THREADS", std::to_string(threads).c_str(), 1);
    std::unique_ptr<cpq::runtime::Kernel> k = lenet5_w2a2_kernel(folder, lenet_error);
    if (k) {
      for (int batch : {1, 256}) {
        const std::string cmd = "OMP_WAIT_POLICY=passive /usr/bin/python3 " CPQ_SOURCE_DIR
                                "/bench/peers/infer_torch.py --threads " + std::to_string(threads) + " --batch " +
                                std::to_string(batch) + " --calls " + std::to_string(std::max(1, 2048 / batch)) +
                                " --repeats " + std::to_string(repeats);
        lenet_rows.push_back({batch, lenet5_img_s(*k, batch), cpq::bench::peer_number(cmd, "img_s")});
      }
    }
    std::filesystem::remove_all(folder);
  }
  auto ratio = [](double peer, double ours) { return peer > 0 ? peer / ours : -1.0; };
  if (json) {
    nlohmann::ordered_json j = {{"isa", qgemm_isa_name(qgemm_best_isa())}, {"threads", threads}, {"exact", exact}};
    j["gemv"] = nlohmann::ordered_json::array();
    for (const GemvRow &r : gemv_rows)
      j["gemv"].push_back({{"bits", r.bits},
                           {"gb_s", r.gb_s()},
                           {"roofline_gb_s", r.roofline_gb_s()},
                           {"fraction_of_roofline", r.fraction},
                           {"us", r.seconds * 1e6}});
    j["gemm"] = nlohmann::ordered_json::array();
    for (const GemmRow &r : gemm_rows)
      j["gemm"].push_back({{"config", r.config},
                           {"gops", r.gops()},
                           {"x_openblas", ratio(r.openblas, r.seconds)},
                           {"x_onednn_int8", ratio(r.onednn, r.seconds)}});
    j["lenet5"] = nlohmann::ordered_json::array();
    for (const LenetRow &r : lenet_rows)
      j["lenet5"].push_back({{"batch", r.batch},
                             {"img_s", r.img_s},
                             {"torch_fp32_img_s", r.torch_img_s},
                             {"x_torch_fp32", r.torch_img_s > 0 ? r.img_s / r.torch_img_s : -1.0}});
    std::printf("%s\n", j.dump(2).c_str());
    return exact ? 0 : 1;
  }
  std::printf("packed integer products, %s, %d threads, medians of %d runs\n", qgemm_isa_name(qgemm_best_isa()),
              threads, repeats);
  std::printf("\nGEMV 4096 x 4096, weights rotating through > 128 MiB (from DRAM); roofline: a plain read of\n"
              "the same weights by the same threads, timed in turn with the products\n");
  std::printf("  %4s  %10s  %10s  %12s  %12s  %9s\n", "bits", "us", "GB/s", "roofline us", "DRAM GB/s", "fraction");
  for (const GemvRow &r : gemv_rows)
    std::printf("  %4d  %10.1f  %10.2f  %12.1f  %12.2f  %9.3f\n", r.bits, r.seconds * 1e6, r.gb_s(),
                r.read_seconds * 1e6, r.roofline_gb_s(), r.fraction);
  if (gemm) {
    std::printf("\nGEMM M=256, K=N=4096 (OpenBLAS core: %s)\n", corename.c_str());
#ifdef CPQ_HAVE_ONEDNN
    std::printf("  oneDNN int8 matmul: %s\n", onednn_impl.c_str());
#endif
    std::printf("  %-6s  %9s  %9s  %12s  %12s\n", "config", "ms", "Gop/s", "x OpenBLAS", "x oneDNN int8");
    for (const GemmRow &r : gemm_rows) {
      std::printf("  %-6s  %9.2f  %9.1f", r.config.c_str(), r.seconds * 1e3, r.gops());
      for (double peer : {r.openblas, r.onednn})
        peer > 0 ? std::printf("  %12.2f", peer / r.seconds) : std::printf("  %12s", "-");
      std::printf("\n");
    }
    if (gemm_rows.size() && gemm_rows[0].openblas > 0)
      std::printf("  OpenBLAS sgemm %.2f ms (%.1f GFLOP/s)", gemm_rows[0].openblas * 1e3,
                  2.0 * 256 * 4096 * 4096 / gemm_rows[0].openblas / 1e9);
    if (gemm_rows.size() && gemm_rows[0].onednn > 0)
      std::printf("; oneDNN u8 x s8 %.2f ms (%.1f Gop/s)", gemm_rows[0].onednn * 1e3,
                  2.0 * 256 * 4096 * 4096 / gemm_rows[0].onednn / 1e9);
    std::printf("\n  W2A8/W4A8: %s; W1A1: %s (the output's 2 P - popcount(a) included)\n",
                qgemm_isa_name(qgemm_best_isa()), bgemm_isa_name(bgemm_best_isa()));
  }
  if (lenet) {
    std::printf("\nLeNet-5 W2A2 packed inference against PyTorch %s float32 inference\n",
                lenet_rows.empty() ? "" : "1.13");
    if (lenet_rows.empty()) std::printf("  not measured: %s\n", lenet_error.c_str());
    for (const LenetRow &r : lenet_rows) {
      std::printf("  batch %3d  %10.0f images/s", r.batch, r.img_s);
      r.torch_img_s > 0 ? std::printf("  PyTorch %8.0f images/s  %.2fx\n", r.torch_img_s, r.img_s / r.torch_img_s)
                        : std::printf("  PyTorch: not available\n");
    }
  }
  std::printf("every result equal to the portable implementation: %s\n", exact ? "yes" : "NO");
  return exact ? 0 : 1;
}
