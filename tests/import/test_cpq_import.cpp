// cpq-import's importer (import/onnx_import.h): ONNX models exported by
// PyTorch (tests/import/fixtures, made by make_fixtures.py) imported, their
// parameters bound, the network JIT-compiled and run on the images PyTorch
// ran, and the outputs compared with PyTorch's; graphs built here with ONNX's
// protobuf classes for the foldings (Gemm's alpha, beta and transB, MatMul +
// Add) and for every refusal.
#define BOOST_TEST_MODULE cpq_import
#include <boost/test/unit_test.hpp>

#include "codegen/codegen_harness.h"
#include "cpq/runtime/safetensors.h"
#include "import/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using cpq::reference::Tensor;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = CPQ_IMPORT_FIXTURES;
const std::string kScratch = CPQ_IMPORT_SCRATCH;

cpq::importer::Network import_file(const std::string &name) {
  cpq::importer::Network net;
  std::string error;
  const bool ok = cpq::importer::import_onnx_file(kFixtures + "/" + name, {}, net, error);
  BOOST_TEST_REQUIRE(ok, name << ": " << error);
  return net;
}

std::string refusal(const std::string &bytes, const std::string &what = "model.onnx") {
  cpq::importer::Network net;
  std::string error;
  BOOST_TEST(!cpq::importer::import_onnx(bytes, what, {}, net, error), what << " was imported");
  return error;
}

/// The imported network run on `input`: parameters bound from its own
/// safetensors file (--cpq-bind-params), then JIT-compiled.
Tensor forward(const cpq::importer::Network &net, const Tensor &input) {
  fs::create_directories(kScratch);
  const std::string params = kScratch + "/" + net.function + ".safetensors";
  std::string error;
  BOOST_TEST_REQUIRE(cpq::safetensors::write(params, net.params, error), error);
  const std::string bound = cpq::testing::run_pipeline(net.mlir, "cpq-bind-params{file=" + params + "}");
  cpq::testing::Compiled c(bound, net.function);
  c.set(0, input);
  return c.run(int(input.shape[0])).at(0);
}

Tensor tensor_of(const cpq::safetensors::File &f, const std::string &name) {
  const cpq::safetensors::Tensor *t = f.find(name);
  BOOST_TEST_REQUIRE(t != nullptr, "no tensor " << name);
  Tensor out(t->shape);
  out.data = t->as_f32();
  return out;
}

double max_abs_difference(const Tensor &a, const Tensor &b) {
  BOOST_TEST_REQUIRE((a.shape == b.shape));
  double worst = 0;
  for (std::size_t k = 0; k < a.data.size(); ++k) worst = std::max(worst, double(std::fabs(a.data[k] - b.data[k])));
  return worst;
}

cpq::safetensors::File read_expected(const std::string &name) {
  cpq::safetensors::File f;
  std::string error;
  BOOST_TEST_REQUIRE(cpq::safetensors::read(kFixtures + "/" + name, f, error), error);
  return f;
}

// --- graphs built here -----------------------------------------------------

/// An ONNX model of one float input "x" (batch axis "N") and one output "y".
struct Graph {
  onnx::ModelProto model;
  onnx::GraphProto *g;

  explicit Graph(std::vector<std::int64_t> input, std::int64_t opset = 13) {
    model.set_ir_version(7);
    model.set_producer_name("test_cpq_import");
    model.add_opset_import()->set_version(opset);
    g = model.mutable_graph();
    g->set_name("test");
    auto *in = g->add_input();
    in->set_name("x");
    auto *tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    for (std::size_t d = 0; d < input.size(); ++d) {
      auto *dim = tt->mutable_shape()->add_dim();
      if (d == 0) dim->set_dim_param("N");
      else dim->set_dim_value(input[d]);
    }
  }
  onnx::TensorProto *init(const std::string &name, std::vector<std::int64_t> dims, const std::vector<float> &v) {
    auto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (auto d : dims) t->add_dims(d);
    for (float x : v) t->add_float_data(x);
    return t;
  }
  void init_i64(const std::string &name, const std::vector<std::int64_t> &v) {
    auto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    t->add_dims(std::int64_t(v.size()));
    for (auto x : v) t->add_int64_data(x);
  }
  onnx::NodeProto *node(const std::string &op, std::vector<std::string> in, std::vector<std::string> out) {
    auto *n = g->add_node();
    n->set_op_type(op);
    n->set_name("/" + op + "_" + std::to_string(g->node_size()));
    for (auto &s : in) n->add_input(s);
    for (auto &s : out) n->add_output(s);
    return n;
  }
  void output(const std::string &name) { g->add_output()->set_name(name); }
  std::string bytes() const { return model.SerializeAsString(); }
};

void attr_i(onnx::NodeProto *n, const std::string &name, std::int64_t v) {
  auto *a = n->add_attribute();
  a->set_name(name), a->set_type(onnx::AttributeProto_AttributeType_INT), a->set_i(v);
}
void attr_f(onnx::NodeProto *n, const std::string &name, float v) {
  auto *a = n->add_attribute();
  a->set_name(name), a->set_type(onnx::AttributeProto_AttributeType_FLOAT), a->set_f(v);
}
void attr_ints(onnx::NodeProto *n, const std::string &name, std::vector<std::int64_t> v) {
  auto *a = n->add_attribute();
  a->set_name(name), a->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (auto x : v) a->add_ints(x);
}
void attr_s(onnx::NodeProto *n, const std::string &name, const std::string &v) {
  auto *a = n->add_attribute();
  a->set_name(name), a->set_type(onnx::AttributeProto_AttributeType_STRING), a->set_s(v);
}

std::vector<float> random_values(std::size_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v) x = d(rng);
  return v;
}

cpq::importer::Network import_bytes(const std::string &bytes) {
  cpq::importer::Network net;
  std::string error;
  const bool ok = cpq::importer::import_onnx(bytes, "built.onnx", {}, net, error);
  BOOST_TEST_REQUIRE(ok, error);
  return net;
}

} // namespace

// --- PyTorch's exports ------------------------------------------------------

BOOST_AUTO_TEST_CASE(lenet5_matches_pytorch) {
  const cpq::importer::Network net = import_file("lenet5.onnx");
  BOOST_TEST(net.function == "net"); // PyTorch's graph name "torch_jit" is not kept
  BOOST_TEST((net.input_shape == std::vector<std::int64_t>{-1, 1, 28, 28}));
  BOOST_TEST((net.output_shape == std::vector<std::int64_t>{-1, 10}));
  BOOST_TEST(net.params.tensors.size() == 8u);
  for (const char *name : {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                           "fc2.weight", "fc2.bias"})
    BOOST_TEST(net.params.find(name) != nullptr, name);
  BOOST_TEST((net.params.find("fc1.weight")->shape == std::vector<std::int64_t>{512, 1024}));
  const auto expected = read_expected("lenet5_expected.safetensors");
  const Tensor logits = forward(net, tensor_of(expected, "images"));
  const double diff = max_abs_difference(logits, tensor_of(expected, "logits"));
  BOOST_TEST_MESSAGE("lenet5: max |cpq - PyTorch| over 8 x 10 logits = " << diff);
  BOOST_TEST(diff < 1e-4);
}

BOOST_AUTO_TEST_CASE(every_layer_matches_pytorch) {
  // Conv (padding, stride, no bias), BatchNormalization, Relu, Add, MaxPool,
  // AveragePool, Flatten, Gemm, MatMul + Add, Softmax at the end.
  const auto expected = read_expected("allops_expected.safetensors");
  for (const char *file : {"allops.onnx", "allops_bn_folded.onnx"}) {
    const cpq::importer::Network net = import_file(file);
    const Tensor logits = forward(net, tensor_of(expected, "images"));
    const double diff = max_abs_difference(logits, tensor_of(expected, "logits"));
    BOOST_TEST_MESSAGE(file << ": max |cpq - PyTorch| over the logits = " << diff);
    BOOST_TEST(diff < 1e-4, file);
    // PyTorch's output is the softmax of those logits.
    const Tensor probabilities = tensor_of(expected, "output");
    for (std::int64_t n = 0; n < logits.shape[0]; ++n) {
      const float *row = &logits.data[std::size_t(n * 10)];
      const float top = *std::max_element(row, row + 10);
      double sum = 0;
      for (int k = 0; k < 10; ++k) sum += std::exp(double(row[k] - top));
      for (int k = 0; k < 10; ++k)
        BOOST_TEST(std::fabs(std::exp(double(row[k] - top)) / sum - probabilities.data[std::size_t(n * 10 + k)]) < 1e-5);
    }
  }
  // The folded export's unnamed tensors take their module's names.
  const cpq::importer::Network folded = import_file("allops_bn_folded.onnx");
  BOOST_TEST(folded.params.find("conv1.weight") != nullptr);
  BOOST_TEST(folded.params.find("conv1.bias") != nullptr);
  BOOST_TEST(folded.mlir.find("onnx::") == std::string::npos);
  // BatchNormalization keeps its statistics as non-trainable parameters.
  const cpq::importer::Network bn = import_file("allops.onnx");
  BOOST_TEST(bn.mlir.find("\"bn1.running_mean\" {init = \"zeros\", trainable = false}") != std::string::npos);
  BOOST_TEST(bn.mlir.find("cpq.softmax") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(pytorch_average_pool_with_its_zero_pad_and_grouped_conv) {
  // nn.AvgPool2d's default export is Constant -> Pad (zeros) -> AveragePool.
  const cpq::importer::Network pooled = import_file("avgpool_pad.onnx");
  BOOST_TEST(pooled.mlir.find("cpq.avgpool2d") != std::string::npos);
  const cpq::importer::Network grouped = import_file("grouped_conv.onnx");
  BOOST_TEST(grouped.mlir.find("groups = 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pytorch_exports_cpq_cannot_express_are_refused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unsupported_op.onnx", "node #1 '/body/Sigmoid' (Sigmoid): unsupported op"},
      {"unsupported_attribute.onnx", "(Conv): dilations [2, 2]: cpq.conv2d has no dilation"},
      {"asymmetric_pad.onnx", "(Conv): asymmetric pads [0, 0, 2, 2]"},
      {"float64.onnx", "input 'image' is DOUBLE; cpq networks are float32"},
      {"pad_op.onnx", "(ConstantOfShape): unsupported op"},
      {"not_onnx.onnx", "not_onnx.onnx: not an ONNX model"},
      {"truncated.onnx", "truncated.onnx: not an ONNX model"},
  };
  for (const auto &[file, message] : cases) {
    cpq::importer::Network net;
    std::string error;
    BOOST_TEST(!cpq::importer::import_onnx_file(kFixtures + "/" + file, {}, net, error), file);
    BOOST_TEST(error.find(message) != std::string::npos, file << ": " << error);
    BOOST_TEST(error.find(file) != std::string::npos, file << " is not named: " << error);
  }
  cpq::importer::Network net;
  std::string error;
  BOOST_TEST(!cpq::importer::import_onnx_file(kFixtures + "/no_such.onnx", {}, net, error));
  BOOST_TEST(error.find("no_such.onnx: cannot open") != std::string::npos, error);
}

// --- foldings, checked by running them -------------------------------------

BOOST_AUTO_TEST_CASE(gemm_alpha_beta_and_untransposed_weight_are_folded) {
  std::mt19937 rng(3);
  Graph m({-1, 5});
  const auto b = random_values(5 * 3, rng), c = random_values(3, rng);
  m.init("fc.weight", {5, 3}, b); // [in, out]: transB = 0
  m.init("fc.bias", {1, 3}, c);
  auto *n = m.node("Gemm", {"x", "fc.weight", "fc.bias"}, {"y"});
  attr_f(n, "alpha", 2.0f), attr_f(n, "beta", 0.5f), attr_i(n, "transB", 0);
  m.output("y");
  const cpq::importer::Network net = import_bytes(m.bytes());
  BOOST_TEST(net.function == "test");
  Tensor x({4, 5});
  x.data = random_values(20, rng);
  const Tensor y = forward(net, x);
  double worst = 0;
  for (int r = 0; r < 4; ++r)
    for (int o = 0; o < 3; ++o) {
      double want = 0.5 * c[std::size_t(o)];
      for (int k = 0; k < 5; ++k) want += 2.0 * x.data[std::size_t(r * 5 + k)] * b[std::size_t(k * 3 + o)];
      worst = std::max(worst, std::fabs(want - y.data[std::size_t(r * 3 + o)]));
    }
  BOOST_TEST(worst < 1e-5);
}

BOOST_AUTO_TEST_CASE(matmul_and_its_bias_add_are_one_dense_layer) {
  std::mt19937 rng(4);
  Graph m({-1, 6});
  const auto w = random_values(6 * 4, rng), bias = random_values(4, rng);
  m.init("w", {6, 4}, w);
  m.init("b", {4}, bias);
  m.node("MatMul", {"x", "w"}, {"xw"});
  m.node("Add", {"b", "xw"}, {"h"}); // the constant first: Add is commutative
  m.node("Relu", {"h"}, {"r"});
  m.node("Identity", {"r"}, {"i"});
  attr_f(m.node("Dropout", {"i"}, {"y"}), "ratio", 0.5f);
  m.output("y");
  const cpq::importer::Network net = import_bytes(m.bytes());
  BOOST_TEST(net.layers == 2); // dense, relu
  Tensor x({3, 6});
  x.data = random_values(18, rng);
  const Tensor y = forward(net, x);
  for (int r = 0; r < 3; ++r)
    for (int o = 0; o < 4; ++o) {
      double want = bias[std::size_t(o)];
      for (int k = 0; k < 6; ++k) want += x.data[std::size_t(r * 6 + k)] * w[std::size_t(k * 4 + o)];
      BOOST_TEST(std::fabs(std::max(want, 0.0) - y.data[std::size_t(r * 4 + o)]) < 1e-5);
    }
}

BOOST_AUTO_TEST_CASE(reshape_to_features_global_pool_and_log_softmax) {
  std::mt19937 rng(5);
  Graph m({-1, 2, 4, 4});
  m.init("conv.weight", {3, 2, 3, 3}, random_values(54, rng));
  m.init_i64("shape", {-1, 3});
  m.init("fc.weight", {2, 3}, random_values(6, rng));
  auto *c = m.node("Conv", {"x", "conv.weight"}, {"c"});
  attr_ints(c, "pads", {1, 1, 1, 1}), attr_ints(c, "strides", {1, 1}), attr_s(c, "auto_pad", "NOTSET");
  m.node("GlobalAveragePool", {"c"}, {"p"});
  m.node("Reshape", {"p", "shape"}, {"f"});
  auto *g = m.node("Gemm", {"f", "fc.weight"}, {"l"});
  attr_i(g, "transB", 1);
  m.node("LogSoftmax", {"l"}, {"y"});
  m.output("y");
  const cpq::importer::Network net = import_bytes(m.bytes());
  BOOST_TEST(net.mlir.find("cpq.avgpool2d %v0 {kernel = [4, 4]}") != std::string::npos, net.mlir);
  BOOST_TEST(net.mlir.find("cpq.flatten") != std::string::npos);
  Tensor x({2, 2, 4, 4});
  x.data = random_values(64, rng);
  BOOST_TEST(forward(net, x).shape == (std::vector<std::int64_t>{2, 2}));
}

// --- refusals of graphs built here -----------------------------------------

BOOST_AUTO_TEST_CASE(what_the_dialect_cannot_say_is_refused_naming_the_node) {
  std::mt19937 rng(6);
  auto expect = [](const std::string &error, const std::string &part) {
    BOOST_TEST(error.find(part) != std::string::npos, "'" << part << "' not in: " << error);
  };
  {
    Graph m({-1, 4});
    attr_i(m.node("Relu", {"x"}, {"y"}), "alpha", 1);
    m.output("y");
    expect(refusal(m.bytes()), "model.onnx: node #0 '/Relu_1' (Relu): attribute 'alpha' is not supported");
  }
  {
    Graph m({-1, 4});
    m.node("Relu", {"x"}, {"a"});
    m.node("Relu", {"x"}, {"b"});
    m.output("a"), m.output("b");
    expect(refusal(m.bytes()), "the graph has 2 outputs");
  }
  {
    Graph m({-1, 2, 4, 4});
    m.init_i64("shape", {-1, 2, 16});
    m.node("Reshape", {"x", "shape"}, {"r"});
    m.node("Flatten", {"r"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "(Reshape): reshapes tensor<?x2x4x4xf32> to [-1, 2, 16]");
  }
  {
    Graph m({-1, 4});
    m.init("b", {4}, random_values(4, rng));
    m.node("Add", {"x", "b"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "(Add): adds the constant 'b' to an activation");
  }
  {
    Graph m({-1, 4});
    m.node("Softmax", {"x"}, {"s"});
    m.node("Relu", {"s"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "(Softmax): is not the network's last op");
  }
  {
    Graph m({-1, 2, 4, 4});
    m.node("Conv", {"x", "x"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "(Conv): its filter 'x' is computed by the graph");
  }
  {
    Graph m({-1, 2, 4, 4});
    auto *t = m.init("w", {3, 2, 3, 3}, {});
    t->set_data_type(onnx::TensorProto_DataType_FLOAT16);
    t->set_raw_data(std::string(54 * 2, '\0'));
    m.node("Conv", {"x", "w"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "(Conv): its filter 'w' is FLOAT16; cpq networks are float32");
  }
  {
    Graph m({-1, 2, 4, 4});
    auto *t = m.init("w", {3, 2, 3, 3}, {});
    t->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
    m.node("Conv", {"x", "w"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "initializer 'w' is stored outside the file");
  }
  {
    Graph m({-1, 2, 4, 4});
    m.init("w", {3, 2, 3, 3}, random_values(10, rng)); // 10 values for 54 elements
    m.node("Conv", {"x", "w"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "initializer 'w' holds 10 values for 54 elements");
  }
  {
    Graph m({-1, 2, 4, 4});
    m.init("w", {3, 2, 3, 3}, random_values(54, rng));
    attr_s(m.node("Conv", {"x", "w"}, {"y"}), "auto_pad", "SAME_UPPER");
    m.output("y");
    expect(refusal(m.bytes()), "(Conv): auto_pad SAME_UPPER is not supported");
  }
  {
    Graph m({-1, 2, 4, 4});
    auto *p = m.node("AveragePool", {"x"}, {"y"});
    attr_ints(p, "kernel_shape", {3, 3}), attr_ints(p, "pads", {1, 1, 1, 1});
    m.output("y");
    expect(refusal(m.bytes()), "(AveragePool): pads with count_include_pad = 0");
  }
  {
    Graph m({-1, 2, 5, 5});
    auto *p = m.node("MaxPool", {"x"}, {"y"});
    attr_ints(p, "kernel_shape", {2, 2}), attr_ints(p, "strides", {2, 2}), attr_i(p, "ceil_mode", 1);
    m.output("y");
    expect(refusal(m.bytes()), "(MaxPool): ceil_mode = 1 gives a partial last window");
  }
  {
    Graph m({-1, 4, 4});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "input 'x' has rank 3");
  }
  {
    Graph m({-1, 4}, 6);
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "ONNX operator set 6 (cpq-import reads operator sets 7 to 18)");
  }
  {
    Graph m({-1, 4});
    m.node("Relu", {"x"}, {"y"})->set_domain("com.microsoft");
    m.output("y");
    expect(refusal(m.bytes()), "operator domain 'com.microsoft'");
  }
  {
    Graph m({-1, 2, 4, 4});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "the graph's output 'y' has rank 4");
  }
  {
    Graph m({-1, 2, 4, 4});
    m.init("w", {1 << 20, 1 << 20, 1 << 20, 3}, {}); // 2^62 elements: refused before any is read
    m.node("Conv", {"x", "w"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "initializer 'w' is too large");
  }
  {
    Graph m({-1, std::int64_t(1) << 30});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "input 'x' has no fixed size (at most 2^24) on axis 1");
  }
  {
    Graph m({-1, 4096, 4096, 4096});
    m.node("Relu", {"x"}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "input 'x' has more than 2^31 values per example");
  }
  // Inputs tests/fuzz found (corpus/fuzz_onnx/crash-*): a MatMul's bias Add
  // and other nodes without outputs were read past the end of their outputs,
  // and pads near 2^62 overflowed the output size.
  {
    Graph m({-1, 4});
    m.init("w", {4, 3}, random_values(12, rng));
    m.init("b", {3}, random_values(3, rng));
    m.node("MatMul", {"x", "w"}, {"p"});
    m.node("Add", {"p", "b"}, {});
    m.output("y");
    expect(refusal(m.bytes()), "(Add): has no output");
  }
  for (const char *op : {"Relu", "Identity", "Softmax", "Constant"}) {
    Graph m({-1, 4});
    m.node(op, {"x"}, {});
    m.output("x");
    expect(refusal(m.bytes()), std::string("(") + op + "): has no output");
  }
  {
    Graph m({-1, 4});
    m.node("Identity", {}, {"y"});
    m.output("y");
    expect(refusal(m.bytes()), "(Identity): has too few inputs");
  }
  {
    Graph m({-1, 2, 4, 4});
    m.init("w", {3, 2, 3, 3}, random_values(54, rng));
    const std::int64_t big = std::int64_t(1) << 62;
    attr_ints(m.node("Conv", {"x", "w"}, {"y"}), "pads", {big, big, big, big});
    m.output("y");
    expect(refusal(m.bytes()), "(Conv): pads beyond 2^24");
  }
  {
    Graph m({-1, 2, 4, 4});
    auto *p = m.node("MaxPool", {"x"}, {"y"});
    const std::int64_t big = std::int64_t(1) << 40;
    attr_ints(p, "kernel_shape", {1, 1}), attr_ints(p, "pads", {big, big, big, big});
    m.output("y");
    expect(refusal(m.bytes()), "(MaxPool): pads beyond 2^24");
  }
  {
    // 2^24 pads are taken, but not an output of 2 x (2^25 + 4)^2 values per image.
    Graph m({-1, 2, 4, 4});
    auto *p = m.node("MaxPool", {"x"}, {"y"});
    const std::int64_t pad = std::int64_t(1) << 24;
    attr_ints(p, "kernel_shape", {1, 1}), attr_ints(p, "pads", {pad, pad, pad, pad});
    m.output("y");
    expect(refusal(m.bytes()), "(MaxPool): gives tensor<?x2x33554436x33554436xf32>, more than 2^31 values per example");
  }
  expect(refusal(""), "model.onnx: empty file");
}
