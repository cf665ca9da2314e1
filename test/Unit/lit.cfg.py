# -*- Python -*-
# lit configuration of the GoogleTest unit tests: every test binary named
# *Tests under build/test/Unit is run, one lit test per GoogleTest case.

import os

import lit.formats

config.name = "SCN-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.scn_obj_root, "test", "Unit")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
