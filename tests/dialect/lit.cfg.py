# lit configuration of the cpq-opt tests: each .mlir file runs its RUN lines
# with cpq-opt, FileCheck and not from the build and from LLVM 14.
import os
import lit.formats

config.name = "cpq-opt"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cpq_binary_dir, "tests", "dialect")
config.environment["PATH"] = os.pathsep.join(
    [os.path.join(config.cpq_binary_dir, "tools", "cpq-opt"), os.path.join(config.cpq_binary_dir, "tools", "cpq-compile"),
     config.llvm_tools_dir, config.environment.get("PATH", "")])
# %examples: the example networks of the source tree.
config.substitutions.append(
    ("%examples", os.path.join(os.path.dirname(os.path.dirname(config.test_source_root)), "examples", "networks")))
# %python: the interpreter running lit, for tests that write input files.
import sys
config.substitutions.append(("%python", sys.executable))
