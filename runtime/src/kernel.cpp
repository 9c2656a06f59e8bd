//===- kernel.cpp - calling compiled cpq kernels by argument name -----------===//
#include "cpq/runtime/kernel.h"

#include "cpq/runtime/allocator.h"
#include "cpq/runtime/sha256.h"
#include "file_bytes.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
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

/// This machine's ELF architecture (e_machine).
#if defined(__x86_64__)
constexpr int kHostMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kHostMachine = EM_AARCH64;
#else
constexpr int kHostMachine = -1; // not checked
#endif

/// The ELF header checks of check_shared_object, on the first bytes of a file.
bool check_elf_header(const std::string &path, const unsigned char *h, std::size_t n, std::string &error) {
  auto fail = [&](const std::string &what) { return error = path + ": " + what, false; };
  if (n < EI_NIDENT || std::memcmp(h, ELFMAG, SELFMAG) != 0)
    return fail("not a shared object (no ELF header); a kernel is the .so cpq-compile writes beside its .json");
  if (h[EI_CLASS] != ELFCLASS64 || h[EI_DATA] != ELFDATA2LSB || n < sizeof(Elf64_Ehdr))
    return fail("an ELF file of another class or byte order than this machine's (64-bit little-endian)");
  Elf64_Ehdr e;
  std::memcpy(&e, h, sizeof e);
  if (e.e_type != ET_DYN)
    return fail("an ELF file but not a shared object (type " + std::to_string(e.e_type) +
                (e.e_type == ET_REL ? ", an object file" : e.e_type == ET_EXEC ? ", an executable" : "") + ")");
  if (kHostMachine >= 0 && e.e_machine != kHostMachine)
    return fail("a shared object for another architecture (ELF machine " + std::to_string(e.e_machine) +
                ", this machine is " + std::to_string(kHostMachine) + ")");
  return true;
}

} // namespace

bool check_shared_object(const std::string &path, std::string &error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return error = path + ": the kernel's shared object is missing (" + std::strerror(errno) + ")", false;
  if (!S_ISREG(st.st_mode)) return error = path + ": not a regular file", false;
  std::ifstream in(path, std::ios::binary);
  unsigned char header[sizeof(Elf64_Ehdr)] = {};
  in.read(reinterpret_cast<char *>(header), sizeof header);
  return check_elf_header(path, header, std::size_t(in.gcount()), error);
}

const KernelArgument *Kernel::argument(const std::string &name) const { return manifest_.argument(name); }

Kernel::~Kernel() {
  if (handle_) dlclose(handle_);
}

void StageTimes::share_since_last(Clock::time_point now) {
  if (!open.empty()) {
    const double ns = std::chrono::duration<double, std::nano>(now - last_event).count() / double(open.size());
    for (const auto &[id, func] : open) func_ns[func] += ns;
  }
  last_event = now;
}

std::int32_t StageTimes::begin_production(const std::string &func, Clock::time_point now) {
  share_since_last(now);
  const std::int32_t id = next_id++;
  open[id] = func;
  return id;
}

void StageTimes::end_production(std::int32_t id, Clock::time_point now) {
  share_since_last(now);
  open.erase(id);
}

namespace {

/// The stage times of the kernel running on this thread (root Funcs'
/// productions begin and end on the calling thread).
thread_local StageTimes *running_times = nullptr;

int32_t record_trace_event(void *, const halide_trace_event_t *e) {
  StageTimes *t = running_times;
  if (!t) return 0;
  const auto now = StageTimes::Clock::now();
  switch (e->event) {
  case halide_trace_produce:
    return t->begin_production(e->func, now);
  case halide_trace_end_produce:
    t->end_production(e->parent_id, now);
    return 0;
  default:
    return t->next_id++;
  }
}

} // namespace

std::unique_ptr<Kernel> Kernel::load(const std::string &prefix, std::string &error, const KernelLoadOptions &options) {
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
  if (!parse_manifest(text.str(), manifest_path, k->manifest_, error)) return nullptr;
  if (!options.function.empty() && options.function != k->function())
    return fail(manifest_path, "is the manifest of function '" + k->function() + "', not '" + options.function +
                                   "' (a kernel of another network?)");

  // Nothing is loaded that is not a shared object of this machine ...
  if (!check_shared_object(so_path, error)) return nullptr;
  // A path without a slash would send dlopen searching the library path:
  // the kernel is the file named, relative to the working directory.
  std::string load_path = so_path.find('/') == std::string::npos ? "./" + so_path : so_path;
  int pinned_fd = -1;
  if (!options.sha256.empty()) {
    // ... and a pinned kernel is loaded from the bytes that were hashed.
    std::vector<std::uint8_t> bytes;
    if (!read_file_bytes(so_path, bytes, error)) return nullptr;
    if (!check_elf_header(so_path, bytes.data(), bytes.size(), error))
      return nullptr;
    const std::string digest = sha256_hex(bytes.data(), bytes.size());
    if (digest != options.sha256)
      return fail(so_path, "its SHA-256 is " + digest + ", the model file pins " + options.sha256 +
                               ": the kernel was changed or replaced after the model was written; not loaded");
    pinned_fd = ::memfd_create("cpq-pinned-kernel", MFD_CLOEXEC);
    if (pinned_fd < 0) return fail(so_path, std::string("cannot make an in-memory copy (") + std::strerror(errno) + ")");
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t w = ::write(pinned_fd, bytes.data() + done, bytes.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        ::close(pinned_fd);
        return fail(so_path, std::string("cannot make an in-memory copy (") + std::strerror(errno) + ")");
      }
      done += std::size_t(w);
    }
    load_path = "/proc/self/fd/" + std::to_string(pinned_fd);
  }
  // OpenCL on PoCL next to another LLVM (cpq-train holds Halide's compiler).
  if (k->manifest_.device == "opencl") prepare_opencl_in_process();
  k->handle_ = dlopen(load_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (pinned_fd >= 0) ::close(pinned_fd); // the mapping stays
  if (!k->handle_) {
    const char *why = dlerror();
    return fail(so_path, std::string("cannot load (") + (why ? why : "unknown error") + ")");
  }
  k->argv_ = reinterpret_cast<int (*)(void **)>(dlsym(k->handle_, (k->function() + "_argv").c_str()));
  auto metadata_fn = reinterpret_cast<const halide_filter_metadata_t *(*)()>(
      dlsym(k->handle_, (k->function() + "_metadata").c_str()));
  if (!k->argv_ || !metadata_fn)
    return fail(so_path, "has no kernel '" + k->function() + "' (the manifest's function; no " + k->function() +
                             "_argv / _metadata)");
  if (!k->manifest_.device.empty()) {
    // Every Halide runtime has these; a GPU kernel's moves its buffers.
    k->copy_to_host_ = reinterpret_cast<DeviceFn>(dlsym(k->handle_, "halide_copy_to_host"));
    k->device_free_ = reinterpret_cast<DeviceFn>(dlsym(k->handle_, "halide_device_free"));
    if (!k->copy_to_host_ || !k->device_free_)
      return fail(so_path, "runs on " + k->manifest_.device + " but has no halide_copy_to_host / halide_device_free");
  }
  const halide_filter_metadata_t *md = metadata_fn();
  if (md->num_arguments != int(k->manifest_.arguments.size()))
    return fail(so_path, "its kernel takes " + std::to_string(md->num_arguments) + " arguments, the manifest lists " +
                             std::to_string(k->manifest_.arguments.size()));
  for (int i = 0; i < md->num_arguments; ++i) {
    const halide_filter_argument_t &m = md->arguments[i];
    const KernelArgument &a = k->manifest_.arguments[std::size_t(i)];
    const bool buffer = m.kind != halide_argument_kind_input_scalar;
    const bool output = m.kind == halide_argument_kind_output_buffer;
    if (a.name != base_name(m.name) || a.buffer != buffer || a.output != output || !(a.type == m.type) ||
        (buffer && m.dimensions != int(a.shape.size())))
      return fail(so_path, "argument " + std::to_string(i) + " of the kernel ('" + m.name + "', " +
                               type_name(m.type) + ") does not match the manifest ('" + a.name + "', " +
                               type_name(a.type) + ")");
  }
  k->extern_error_ = reinterpret_cast<const char *(*)()>(dlsym(k->handle_, "cpq_training_extern_error"));
  k->extern_error_clear_ = reinterpret_cast<void (*)()>(dlsym(k->handle_, "cpq_training_extern_error_clear"));
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
  // A kernel compiled to time its stages traces each root Func's production.
  if (k->manifest_.timed) {
    using SetTrace = halide_trace_t (*)(halide_trace_t);
    auto set_trace = reinterpret_cast<SetTrace>(dlsym(k->handle_, "halide_set_custom_trace"));
    if (!set_trace) return fail(so_path, "is marked \"timed\" but has no halide_set_custom_trace");
    set_trace(record_trace_event);
    k->timing_ = std::make_unique<StageTimes>();
  }
  return k;
}

bool prepare_opencl_in_process() {
  static const bool loaded = dlopen("libpocl.so.2", RTLD_NOW | RTLD_GLOBAL | RTLD_DEEPBIND) != nullptr;
  return loaded;
}

bool Kernel::call(const std::map<std::string, halide_buffer_t *> &buffers, const std::map<std::string, Scalar> &scalars,
                  std::string &error) const {
  for (const auto &[name, b] : buffers) {
    const KernelArgument *a = argument(name);
    if (!a || !a->buffer)
      return error = function() + ": no buffer argument '" + name + "'", false;
    (void)b;
  }
  for (const auto &[name, v] : scalars) {
    const KernelArgument *a = argument(name);
    if (!a || a->buffer) return error = function() + ": no scalar argument '" + name + "'", false;
    (void)v;
  }
  std::vector<void *> argv(manifest_.arguments.size(), nullptr);
  std::vector<std::int64_t> storage(manifest_.arguments.size(), 0); // scalars, 8 bytes each
  std::int64_t batch = -1;
  std::string batch_from;
  for (std::size_t i = 0; i < manifest_.arguments.size(); ++i) {
    const KernelArgument &a = manifest_.arguments[i];
    if (!a.buffer) {
      auto it = scalars.find(a.name);
      if (it == scalars.end()) return error = function() + ": scalar argument '" + a.name + "' is missing", false;
      const Scalar &v = it->second;
      void *p = &storage[i];
      if (a.type.code == halide_type_float && a.type.bits == 32)
        *static_cast<float *>(p) = float(v.is_integer ? double(v.integer) : v.real);
      else if (a.type.code == halide_type_float && a.type.bits == 64)
        *static_cast<double *>(p) = v.is_integer ? double(v.integer) : v.real;
      else if (!v.is_integer)
        return error = function() + ": scalar '" + a.name + "' is " + type_name(a.type) + "; got a real value", false;
      else if (a.type.bits == 64)
        *static_cast<std::int64_t *>(p) = v.integer;
      else if (a.type.bits == 32)
        *static_cast<std::int32_t *>(p) = std::int32_t(v.integer);
      else
        return error = function() + ": scalar '" + a.name + "' has a type the loader does not pass", false;
      argv[i] = p;
      continue;
    }
    auto it = buffers.find(a.name);
    if (it == buffers.end() || !it->second)
      return error = function() + ": buffer argument '" + a.name + "' is missing", false;
    const halide_buffer_t *b = it->second;
    // A buffer without memory would make Halide run a bounds query and
    // return success without computing anything.
    if (!b->host)
      return error = function() + ": '" + a.name + "' has no host memory (the loader takes host buffers)", false;
    if (!(b->type == a.type))
      return error = function() + ": '" + a.name + "' must be " + type_name(a.type) + ", got " + type_name(b->type),
             false;
    if (b->dimensions != int(a.shape.size()))
      return error = function() + ": '" + a.name + "' must have " + std::to_string(a.shape.size()) +
                     " dimensions " + shape_text(a.shape) + ", got " + std::to_string(b->dimensions),
             false;
    for (std::size_t d = 0; d < a.shape.size(); ++d) {
      // MLIR axis d is Halide dimension rank - 1 - d.
      const halide_dimension_t &h = b->dim[a.shape.size() - 1 - d];
      const std::int64_t want = a.shape[d];
      if (want < 0) {
        if (batch < 0) batch = h.extent, batch_from = a.name;
        if (h.extent != batch)
          return error = function() + ": '" + a.name + "' has batch " + std::to_string(h.extent) + " but '" +
                         batch_from + "' has " + std::to_string(batch),
                 false;
      } else if (h.extent != want) {
        return error = function() + ": '" + a.name + "' must be " + shape_text(a.shape) + "; axis " +
                       std::to_string(d) + " has " + std::to_string(h.extent),
               false;
      }
    }
    argv[i] = const_cast<halide_buffer_t *>(b);
  }
  std::string halide_error;
  current_error = &halide_error;
  if (extern_error_clear_) extern_error_clear_();
  // A GPU kernel copies what its caller wrote on the host to the device.
  if (copy_to_host_)
    for (std::size_t i = 0; i < manifest_.arguments.size(); ++i)
      if (manifest_.arguments[i].buffer && !manifest_.arguments[i].output)
        static_cast<halide_buffer_t *>(argv[i])->flags |= halide_buffer_flag_host_dirty;
  const auto started = std::chrono::steady_clock::now();
  running_times = timing_.get();
  int rc = argv_(argv.data());
  // Results back to the host, and no device memory kept between calls (the
  // caller's buffers are host buffers; a device error is the call's).
  if (copy_to_host_)
    for (std::size_t i = 0; i < manifest_.arguments.size(); ++i) {
      if (!manifest_.arguments[i].buffer) continue;
      halide_buffer_t *b = static_cast<halide_buffer_t *>(argv[i]);
      if (!b->device) continue;
      if (rc == 0 && manifest_.arguments[i].output) rc = copy_to_host_(nullptr, b);
      const int freed = device_free_(nullptr, b);
      if (rc == 0) rc = freed;
    }
  running_times = nullptr;
  if (timing_) {
    timing_->call_ns += std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - started).count();
    ++timing_->runs;
  }
  current_error = nullptr;
  if (rc != 0) {
    error = function() + ": the kernel failed (Halide error " + std::to_string(rc) + ")" +
            (halide_error.empty() ? "" : ": " + halide_error);
    // The cause a helper function recorded (training_externs.h), which the
    // kernel's own check of its result cannot tell.
    if (extern_error_) {
      const char *cause = extern_error_();
      if (cause && *cause) error += " (caused by " + std::string(cause) + ")";
    }
    return false;
  }
  return true;
}

bool Kernel::profile(KernelProfile &out, std::string &error) const {
  if (!timing_)
    return error = path_ + ": no profile: the kernel was not compiled to time its stages (cpq-train --profile, "
                           "bench/train --profile)",
           false;
  if (timing_->runs == 0) return error = path_ + ": no profile: the kernel has not run since it was loaded or reset", false;
  out = KernelProfile{};
  out.runs = timing_->runs;
  out.ms = timing_->call_ns / 1e6;
  double inside = 0;
  for (const auto &[name, ns] : timing_->func_ns) {
    out.funcs.push_back({name, ns / 1e6});
    inside += ns / 1e6;
  }
  // What no root Func's production covers: allocations, the stages'
  // set-up, the parallel loops' start.
  out.funcs.push_back({"overhead", std::max(0.0, out.ms - inside)});
  return true;
}

void Kernel::reset_profile() const {
  if (timing_) *timing_ = StageTimes{};
}

} // namespace cpq::runtime
