//===- scn-import-torch.cpp - TorchScript model to scn dialect IR ---------===//
//
// scn-import-torch model.pt [-o net.mlir] [--weights-as-args] [--output-coords]
//
// Loads a TorchScript archive (torch.jit.trace of an scn model, saved with
// torch.jit.save) with libtorch and writes its forward as scn dialect IR.
//
//===----------------------------------------------------------------------===//

#include "scn/Frontends/Torch/GraphImporter.h"
#include "scn/Frontends/Torch/Schemas.h"

#include <torch/script.h>

#include <fstream>
#include <iostream>
#include <string>

using namespace scn::torch_import;

static const char *const usage =
    "usage: scn-import-torch MODEL.pt [-o OUTPUT.mlir] [options]\n"
    "\n"
    "Imports a traced scn model (torch.jit.trace + torch.jit.save) as scn\n"
    "dialect IR. The function takes the model's inputs (coordinates\n"
    "[N, D+1] i64, features [N, C] f32) and returns its outputs.\n"
    "\n"
    "options:\n"
    "  -o FILE             write the IR to FILE (default: stdout)\n"
    "  --weights-as-args   weights as function arguments after the inputs\n"
    "                      (default: dense_resource constants)\n"
    "  --output-coords     also return the coordinates of each sparse output\n"
    "                      (`<output>_coords`, [N, D+1] i64, batch last, rows\n"
    "                      in the order of the features)\n"
    "  --func-name=NAME    name of the function (default: main)\n"
    "  --print-schemas     print the scn:: op schemas and exit\n"
    "  -h, --help          print this help\n";

static int error(const std::string &message) {
  std::cerr << "scn-import-torch: error: " << message << "\n";
  return 1;
}

/// The first line of a libtorch error: the rest is a C++ backtrace.
static std::string firstLines(const std::string &what) {
  size_t end = what.find("\nException raised from");
  return end == std::string::npos ? what : what.substr(0, end);
}

int main(int argc, char **argv) {
  std::string input, output = "-";
  ImportOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << usage;
      return 0;
    }
    if (a == "--print-schemas") {
      for (const std::string &schema : getSchemas())
        std::cout << "scn::" << schema << "\n";
      return 0;
    }
    if (a == "--weights-as-args") {
      options.weightsAsArgs = true;
    } else if (a == "--output-coords") {
      options.outputCoords = true;
    } else if (a.rfind("--func-name=", 0) == 0) {
      options.funcName = a.substr(12);
    } else if (a == "-o" && i + 1 < argc) {
      output = argv[++i];
    } else if (a.rfind("-o", 0) == 0 && a.size() > 2) {
      output = a.substr(2);
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      std::cerr << usage;
      return error("unknown option '" + a + "'");
    } else if (input.empty()) {
      input = a;
    } else {
      return error("more than one input file ('" + input + "', '" + a + "')");
    }
  }
  if (input.empty()) {
    std::cerr << usage;
    return error("no input file");
  }

  torch::jit::Module module;
  try {
    module = torch::jit::load(input);
  } catch (const c10::Error &e) {
    return error("cannot load '" + input + "' as a TorchScript model: " +
                 firstLines(e.what()));
  } catch (const std::exception &e) {
    return error("cannot load '" + input + "': " + e.what());
  }

  std::string ir;
  try {
    ir = importModule(module, options);
  } catch (const ImportError &e) {
    return error(input + ": " + e.what());
  } catch (const c10::Error &e) {
    return error(input + ": " + firstLines(e.what()));
  }

  if (output == "-") {
    std::cout << ir;
    return 0;
  }
  std::ofstream out(output, std::ios::binary);
  out << ir;
  if (!out.good())
    return error("cannot write '" + output + "'");
  return 0;
}
