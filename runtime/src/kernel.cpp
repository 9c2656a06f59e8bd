//===- kernel.cpp - calling compiled cpq kernels by argument name -----------===//
#include "cpq/runtime/kernel.h"

#include "cpq/runtime/allocator.h"

#include "json.h"

#include <dlfcn.h>

#include <fstream>
#include <mutex>
#include <sstream>

namespace cpq::runtime {

namespace {

/// Halide's run-time error of the current call on this thread.
thread_local std::string *current_error = nullptr;

void capture_error(void *, const char *message) {
  if (current_error) {
    std::string m = message ? message : "unknown Halide error";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    *current_error = m;
  }
}

/// A metadata argument name without the "$N" Halide appends when a pipeline
/// holds two Funcs of one name (the manifest has the name as written).
std::string base_name(const char *name) {
  std::string n = name ? name : "";
  const std::size_t dollar = n.rfind('$');
  if (dollar != std::string::npos && dollar + 1 < n.size() &&
      n.find_first_not_of("0123456789", dollar + 1) == std::string::npos)
    n.erase(dollar);
  return n;
}

} // namespace

std::string shape_text(const std::vector<std::int64_t> &shape, const std::string &dynamic) {
  std::string s = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + (shape[k] < 0 ? dynamic : std::to_string(shape[k]));
  return s + "]";
}

bool parse_type(const std::string &name, halide_type_t &out) {
  struct Entry {
    const char *name;
    halide_type_code_t code;
    int bits;
  };
  static const Entry entries[] = {{"float32", halide_type_float, 32}, {"float64", halide_type_float, 64},
                                  {"int8", halide_type_int, 8},       {"int16", halide_type_int, 16},
                                  {"int32", halide_type_int, 32},     {"int64", halide_type_int, 64},
                                  {"uint8", halide_type_uint, 8},     {"uint16", halide_type_uint, 16},
                                  {"uint32", halide_type_uint, 32},   {"uint64", halide_type_uint, 64}};
  for (const Entry &e : entries)
    if (name == e.name) {
      out = halide_type_t(e.code, uint8_t(e.bits));
      return true;
    }
  return false;
}

std::string type_name(const halide_type_t &t) {
  const char *base = t.code == halide_type_float ? "float" : t.code == halide_type_uint ? "uint" : "int";
  return base + std::to_string(t.bits) + (t.lanes > 1 ? "x" + std::to_string(t.lanes) : "");
}

const KernelArgument *Kernel::argument(const std::string &name) const {
  for (const KernelArgument &a : arguments_)
    if (a.name == name) return &a;
  return nullptr;
}

Kernel::~Kernel() {
  if (handle_) dlclose(handle_);
}

std::unique_ptr<Kernel> Kernel::load(const std::string &prefix, std::string &error) {
  const std::string manifest_path = prefix + ".json", so_path = prefix + ".so";
  std::unique_ptr<Kernel> k(new Kernel());
  k->path_ = so_path;
  auto fail = [&](const std::string &file, const std::string &what) {
    error = file + ": " + what;
    return nullptr;
  };

  std::ifstream in(manifest_path, std::ios::binary);
  if (!in) return fail(manifest_path, "cannot open the kernel's manifest (cpq-compile writes it beside the .so)");
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  json::Json root;
  std::string problem;
  if (!json::JsonParser(s.data(), s.data() + s.size()).parse(root, problem, "JSON manifest"))
    return fail(manifest_path, problem);
  const json::Json *function = root.member("function"), *args = root.member("arguments");
  if (root.kind != json::Json::Object || !function || function->kind != json::Json::String || !args ||
      args->kind != json::Json::Array)
    return fail(manifest_path, "not a cpq-compile manifest (needs \"function\" and \"arguments\")");
  k->function_ = function->text;
  for (std::size_t i = 0; i < args->items.size(); ++i) {
    const json::Json &a = args->items[i];
    const json::Json *name = a.member("name"), *role = a.member("role"), *dir = a.member("direction"),
                     *kind = a.member("kind"), *type = a.member("type"), *shape = a.member("shape");
    const std::string where = "argument " + std::to_string(i);
    if (!name || name->kind != json::Json::String || !dir || dir->kind != json::Json::String || !kind ||
        kind->kind != json::Json::String || !type || type->kind != json::Json::String || !shape ||
        shape->kind != json::Json::Array)
      return fail(manifest_path, where + " lacks name, direction, kind, type or shape");
    KernelArgument arg;
    arg.name = name->text;
    arg.role = role && role->kind == json::Json::String ? role->text : "";
    arg.output = dir->text == "output";
    arg.buffer = kind->text == "buffer";
    if (!parse_type(type->text, arg.type)) return fail(manifest_path, where + " has an unknown type '" + type->text + "'");
    for (const json::Json &d : shape->items) {
      if (d.kind == json::Json::Null) arg.shape.push_back(-1);
      else if (d.kind == json::Json::Number && d.integral && d.integer > 0) arg.shape.push_back(d.integer);
      else return fail(manifest_path, where + " ('" + arg.name + "') has a bad shape entry");
    }
    k->arguments_.push_back(std::move(arg));
  }

  // A path without a slash would send dlopen searching the library path:
  // the kernel is the file named, relative to the working directory.
  const std::string load_path = so_path.find('/') == std::string::npos ? "./" + so_path : so_path;
  k->handle_ = dlopen(load_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!k->handle_) {
    const char *why = dlerror();
    return fail(so_path, std::string("cannot load (") + (why ? why : "unknown error") + ")");
  }
  k->argv_ = reinterpret_cast<int (*)(void **)>(dlsym(k->handle_, (k->function_ + "_argv").c_str()));
  auto metadata_fn = reinterpret_cast<const halide_filter_metadata_t *(*)()>(
      dlsym(k->handle_, (k->function_ + "_metadata").c_str()));
  if (!k->argv_ || !metadata_fn)
    return fail(so_path, "has no kernel '" + k->function_ + "' (the manifest's function; no " + k->function_ +
                             "_argv / _metadata)");
  const halide_filter_metadata_t *md = metadata_fn();
  if (md->num_arguments != int(k->arguments_.size()))
    return fail(so_path, "its kernel takes " + std::to_string(md->num_arguments) + " arguments, the manifest lists " +
                             std::to_string(k->arguments_.size()));
  for (int i = 0; i < md->num_arguments; ++i) {
    const halide_filter_argument_t &m = md->arguments[i];
    const KernelArgument &a = k->arguments_[std::size_t(i)];
    const bool buffer = m.kind != halide_argument_kind_input_scalar;
    const bool output = m.kind == halide_argument_kind_output_buffer;
    if (a.name != base_name(m.name) || a.buffer != buffer || a.output != output || !(a.type == m.type) ||
        (buffer && m.dimensions != int(a.shape.size())))
      return fail(so_path, "argument " + std::to_string(i) + " of the kernel ('" + m.name + "', " +
                               type_name(m.type) + ") does not match the manifest ('" + a.name + "', " +
                               type_name(a.type) + ")");
  }
  // Route Halide's run-time errors into the message of the failing call.
  using SetHandler = void (*)(void (*)(void *, const char *));
  if (auto set = reinterpret_cast<SetHandler>(dlsym(k->handle_, "halide_set_error_handler"))) set(capture_error);
  // Temporaries through the caching allocator (allocator.h): a training step
  // allocates the same tensor-sized blocks every call, and glibc's fresh
  // mmap for each costs a page fault per 4 KiB (at batch 256 most of a
  // LeNet-5 step was system time).
  using SetMalloc = void *(*)(void *(*)(void *, std::size_t));
  using SetFree = void (*)(void (*)(void *, void *));
  auto set_malloc = reinterpret_cast<SetMalloc>(dlsym(k->handle_, "halide_set_custom_malloc"));
  auto set_free = reinterpret_cast<SetFree>(dlsym(k->handle_, "halide_set_custom_free"));
  if (set_malloc && set_free) set_malloc(caching_malloc), set_free(caching_free);
  return k;
}

bool Kernel::call(const std::map<std::string, halide_buffer_t *> &buffers, const std::map<std::string, Scalar> &scalars,
                  std::string &error) const {
  for (const auto &[name, b] : buffers) {
    const KernelArgument *a = argument(name);
    if (!a || !a->buffer)
      return error = function_ + ": no buffer argument '" + name + "'", false;
    (void)b;
  }
  for (const auto &[name, v] : scalars) {
    const KernelArgument *a = argument(name);
    if (!a || a->buffer) return error = function_ + ": no scalar argument '" + name + "'", false;
    (void)v;
  }
  std::vector<void *> argv(arguments_.size(), nullptr);
  std::vector<std::int64_t> storage(arguments_.size(), 0); // scalars, 8 bytes each
  std::int64_t batch = -1;
  std::string batch_from;
  for (std::size_t i = 0; i < arguments_.size(); ++i) {
    const KernelArgument &a = arguments_[i];
    if (!a.buffer) {
      auto it = scalars.find(a.name);
      if (it == scalars.end()) return error = function_ + ": scalar argument '" + a.name + "' is missing", false;
      const Scalar &v = it->second;
      void *p = &storage[i];
      if (a.type.code == halide_type_float && a.type.bits == 32)
        *static_cast<float *>(p) = float(v.is_integer ? double(v.integer) : v.real);
      else if (a.type.code == halide_type_float && a.type.bits == 64)
        *static_cast<double *>(p) = v.is_integer ? double(v.integer) : v.real;
      else if (!v.is_integer)
        return error = function_ + ": scalar '" + a.name + "' is " + type_name(a.type) + "; got a real value", false;
      else if (a.type.bits == 64)
        *static_cast<std::int64_t *>(p) = v.integer;
      else if (a.type.bits == 32)
        *static_cast<std::int32_t *>(p) = std::int32_t(v.integer);
      else
        return error = function_ + ": scalar '" + a.name + "' has a type the loader does not pass", false;
      argv[i] = p;
      continue;
    }
    auto it = buffers.find(a.name);
    if (it == buffers.end() || !it->second)
      return error = function_ + ": buffer argument '" + a.name + "' is missing", false;
    const halide_buffer_t *b = it->second;
    // A buffer without memory would make Halide run a bounds query and
    // return success without computing anything.
    if (!b->host)
      return error = function_ + ": '" + a.name + "' has no host memory (the loader runs kernels on the CPU)", false;
    if (!(b->type == a.type))
      return error = function_ + ": '" + a.name + "' must be " + type_name(a.type) + ", got " + type_name(b->type),
             false;
    if (b->dimensions != int(a.shape.size()))
      return error = function_ + ": '" + a.name + "' must have " + std::to_string(a.shape.size()) +
                     " dimensions " + shape_text(a.shape) + ", got " + std::to_string(b->dimensions),
             false;
    for (std::size_t d = 0; d < a.shape.size(); ++d) {
      // MLIR axis d is Halide dimension rank - 1 - d.
      const halide_dimension_t &h = b->dim[a.shape.size() - 1 - d];
      const std::int64_t want = a.shape[d];
      if (want < 0) {
        if (batch < 0) batch = h.extent, batch_from = a.name;
        if (h.extent != batch)
          return error = function_ + ": '" + a.name + "' has batch " + std::to_string(h.extent) + " but '" +
                         batch_from + "' has " + std::to_string(batch),
                 false;
      } else if (h.extent != want) {
        return error = function_ + ": '" + a.name + "' must be " + shape_text(a.shape) + "; axis " +
                       std::to_string(d) + " has " + std::to_string(h.extent),
               false;
      }
    }
    argv[i] = const_cast<halide_buffer_t *>(b);
  }
  std::string halide_error;
  current_error = &halide_error;
  const int rc = argv_(argv.data());
  current_error = nullptr;
  if (rc != 0) {
    error = function_ + ": the kernel failed (Halide error " + std::to_string(rc) + ")" +
            (halide_error.empty() ? "" : ": " + halide_error);
    return false;
  }
  return true;
}

} // namespace cpq::runtime
