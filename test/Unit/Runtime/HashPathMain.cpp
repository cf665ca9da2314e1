//===- HashPathMain.cpp - The runtime tests on the hash-table builders ----===//
//
// Part of the SCN compiler runtime tests.
//
//===----------------------------------------------------------------------===//

#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char **argv) {
  // Read by every builder call (SortedNumbering.h); tests that pick a path
  // themselves set and unset it around their calls.
  setenv("SCN_RUNTIME_ALGORITHMS", "hash", 1);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
