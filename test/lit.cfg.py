# -*- Python -*-
# lit configuration of the scn FileCheck tests (Dialect, Transforms, ...).
# GoogleTest binaries are a separate suite: Unit/lit.cfg.py.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SCN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.scn_obj_root, "test")
# Unit tests have their own suite; golden data is not a test.
config.excludes = ["Unit", "golden", "Inputs", "lit.cfg.py", "CMakeLists.txt"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%scn_src_root", config.scn_src_root))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.scn_tools_dir, append_path=True)

tool_dirs = [config.scn_tools_dir, config.llvm_tools_dir]
tools = ["scn-opt", "scn-run"]
config.substitutions.append(("%python", "/usr/bin/python3"))
llvm_config.add_tool_substitutions(tools, tool_dirs)
