//===- test_kernel_trust.cpp - what the kernel loader checks before loading --===//
//
// SHA-256 against the examples of FIPS 180-2 (and split updates against one
// update); the ELF header check on a real kernel (accepted) and on text, an
// empty file, a truncated header, an object file's and an executable's
// header, a 32-bit and a big-endian header, another architecture
// (refused, each by name); a pinned kernel loads with its digest and is
// refused with another before anything is loaded; a manifest of another
// version and one of another function are refused before the .so is opened
// (a copy whose .so is not even ELF proves the order). The model-file
// rules (kernel only beside the model, symbolic links, pins in files) run
// on compiled models in tests/run/model_trust_test.sh.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE kernel_trust
#include <boost/test/unit_test.hpp>

#include "scratch.h"

#include "cpq/runtime/kernel.h"
#include "cpq/runtime/sha256.h"

#include <elf.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace cpq::runtime;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string &name) { return cpq::testing::scratch_path("kernel_trust", name); }

std::string read_file(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path &p, const std::string &bytes) {
  std::ofstream out(p, std::ios::binary);
  out << bytes;
}

/// A copy of the loaded_net kernel as `name`.{so,json} in the scratch folder.
std::string copy_kernel(const std::string &name) {
  const fs::path prefix = scratch(name);
  fs::copy_file(std::string(CPQ_LOADED_NET) + ".so", prefix.string() + ".so", fs::copy_options::overwrite_existing);
  fs::copy_file(std::string(CPQ_LOADED_NET) + ".json", prefix.string() + ".json", fs::copy_options::overwrite_existing);
  return prefix.string();
}

/// The real kernel's ELF header with `change` applied, written as a file.
std::string elf_variant(const std::string &name, void (*change)(Elf64_Ehdr &)) {
  const std::string so = read_file(std::string(CPQ_LOADED_NET) + ".so");
  Elf64_Ehdr e;
  std::memcpy(&e, so.data(), sizeof e);
  change(e);
  std::string bytes = so;
  std::memcpy(bytes.data(), &e, sizeof e);
  const fs::path p = scratch(name);
  write_file(p, bytes);
  return p.string();
}

bool refused(const std::string &path, const std::string &expected) {
  std::string error;
  const bool ok = check_shared_object(path, error);
  BOOST_TEST_MESSAGE(path << ": " << error);
  BOOST_TEST(error.find(path) == 0);
  BOOST_TEST(error.find(expected) != std::string::npos, error);
  return !ok;
}

} // namespace

BOOST_AUTO_TEST_CASE(sha256_standard_examples) {
  BOOST_TEST(sha256_hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(sha256_hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  BOOST_TEST(sha256_hex(two_blocks.data(), two_blocks.size()) ==
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  BOOST_TEST(sha256_hex(million.data(), million.size()) ==
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Any split of the input into updates gives the digest of one update,
  // across block and padding boundaries (55, 56, 63, 64, 65 bytes).
  for (std::size_t n : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 127u, 128u, 1000u}) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) text += char('a' + i * 7 % 26);
    const std::string whole = sha256_hex(text.data(), text.size());
    for (std::size_t cut : {std::size_t(0), n / 3, n / 2, n}) {
      Sha256 h;
      h.update(text.data(), cut);
      h.update(text.data() + cut, n - cut);
      BOOST_TEST(h.hex() == whole, "n " << n << " cut " << cut);
    }
  }
  BOOST_TEST(is_sha256_hex(sha256_hex("abc", 3)));
  BOOST_TEST(!is_sha256_hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  BOOST_TEST(!is_sha256_hex("abc"));
}

BOOST_AUTO_TEST_CASE(only_shared_objects_of_this_machine) {
  std::string error;
  BOOST_TEST(check_shared_object(std::string(CPQ_LOADED_NET) + ".so", error), error);
  write_file(scratch("text.so"), "not a shared object\n");
  BOOST_TEST(refused(scratch("text.so").string(), "not a shared object (no ELF header)"));
  write_file(scratch("empty.so"), "");
  BOOST_TEST(refused(scratch("empty.so").string(), "not a shared object (no ELF header)"));
  write_file(scratch("short.so"), std::string("\x7f" "ELF\x02\x01\x01", 7));
  BOOST_TEST(refused(scratch("short.so").string(), "not a shared object"));
  write_file(scratch("cut.so"), read_file(std::string(CPQ_LOADED_NET) + ".so").substr(0, 20));
  BOOST_TEST(refused(scratch("cut.so").string(), "of another class or byte order"));
  BOOST_TEST(refused(elf_variant("object.so", [](Elf64_Ehdr &e) { e.e_type = ET_REL; }), "not a shared object (type 1, an object file)"));
  BOOST_TEST(refused(elf_variant("exec.so", [](Elf64_Ehdr &e) { e.e_type = ET_EXEC; }), "not a shared object (type 2, an executable)"));
  BOOST_TEST(refused(elf_variant("arm.so", [](Elf64_Ehdr &e) { e.e_machine = EM_AARCH64 == EM_X86_64 ? 0 : (EM_X86_64 == 62 ? EM_AARCH64 : EM_X86_64); }),
                     "for another architecture"));
  BOOST_TEST(refused(elf_variant("elf32.so", [](Elf64_Ehdr &e) { e.e_ident[EI_CLASS] = ELFCLASS32; }), "another class or byte order"));
  BOOST_TEST(refused(elf_variant("msb.so", [](Elf64_Ehdr &e) { e.e_ident[EI_DATA] = ELFDATA2MSB; }), "another class or byte order"));
  BOOST_TEST(refused(scratch("absent.so").string(), "the kernel's shared object is missing"));
  BOOST_TEST(refused(scratch("").string(), "not a regular file"));
}

BOOST_AUTO_TEST_CASE(a_pinned_kernel_loads_only_with_its_digest) {
  const std::string prefix = copy_kernel("pinned");
  const std::string so = read_file(prefix + ".so");
  const std::string digest = sha256_hex(so.data(), so.size());
  std::string error;
  KernelLoadOptions o;
  o.sha256 = digest;
  auto k = Kernel::load(prefix, error, o);
  BOOST_TEST_REQUIRE(bool(k), error);
  BOOST_TEST(k->function() == "loaded_net");
  // One changed byte past the header: refused, naming both digests.
  std::string changed = so;
  changed[changed.size() / 2] ^= 1;
  const std::string other = copy_kernel("changed");
  write_file(other + ".so", changed);
  BOOST_TEST(!Kernel::load(other, error, o).get());
  BOOST_TEST(error.find(other + ".so: its SHA-256 is " + sha256_hex(changed.data(), changed.size()) +
                        ", the model file pins " + digest) == 0, error);
  // Without a pin the loader does not hash (dlopen then rejects or accepts
  // the damaged file by itself); with the wrong function named it refuses.
  o.sha256.clear();
  o.function = "another_net";
  BOOST_TEST(!Kernel::load(prefix, error, o).get());
  BOOST_TEST(error.find("is the manifest of function 'loaded_net', not 'another_net'") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(refusals_come_before_the_shared_object_is_opened) {
  // The .so of these copies is not ELF: had the loader opened it, the
  // message would be the ELF check's or dlopen's, not the manifest's.
  const std::string prefix = copy_kernel("versioned");
  write_file(prefix + ".so", "text");
  std::string manifest = read_file(prefix + ".json");
  BOOST_TEST_REQUIRE(manifest.find("\"manifest_version\": 1,") != std::string::npos);
  write_file(prefix + ".json",
             manifest.replace(manifest.find("\"manifest_version\": 1,"), 22, "\"manifest_version\": 2,"));
  std::string error;
  BOOST_TEST(!Kernel::load(prefix, error).get());
  BOOST_TEST(error.find(prefix + ".json: a manifest of another version of cpq (manifest_version 2, this cpq reads 1)") == 0,
             error);
  const std::string named = copy_kernel("named");
  write_file(named + ".so", "text");
  KernelLoadOptions o;
  o.function = "another_net";
  BOOST_TEST(!Kernel::load(named, error, o).get());
  BOOST_TEST(error.find(named + ".json: is the manifest of function") == 0, error);
  // And a pin is checked before dlopen too: the text file fails the ELF
  // check first, then a real kernel of another digest fails the pin.
  o.function.clear();
  o.sha256 = std::string(64, '0');
  BOOST_TEST(!Kernel::load(named, error, o).get());
  BOOST_TEST(error.find("not a shared object") != std::string::npos, error);
}
