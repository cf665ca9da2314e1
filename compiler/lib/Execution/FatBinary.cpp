//===- FatBinary.cpp - cubin for several chips in one gpu.binary ----------===//

#include "scn/Execution/FatBinary.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"

using namespace mlir;

namespace scn {

static llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string findCudaToolDirectory() {
  llvm::SmallVector<std::string> candidates;
  if (auto home = llvm::sys::Process::GetEnv("CUDA_HOME"))
    candidates.push_back(*home + "/bin");
  candidates.push_back("/usr/local/cuda/bin");
  for (const std::string &dir : candidates)
    if (llvm::sys::fs::can_execute(dir + "/ptxas"))
      return dir;
  if (auto ptxas = llvm::sys::findProgramByName("ptxas"))
    return llvm::sys::path::parent_path(*ptxas).str();
  return "";
}

namespace {

/// Temporary files removed when it goes out of scope.
struct TempFiles {
  llvm::SmallVector<std::string> paths;
  ~TempFiles() {
    for (const std::string &p : paths)
      llvm::sys::fs::remove(p);
  }
  llvm::Expected<std::string> create(llvm::StringRef suffix) {
    llvm::SmallString<128> path;
    if (std::error_code ec =
            llvm::sys::fs::createTemporaryFile("scn-cuda", suffix, path))
      return fail("cannot create a temporary file: " + ec.message());
    paths.push_back(path.str().str());
    return paths.back();
  }
};

llvm::Error runTool(llvm::StringRef program, llvm::ArrayRef<llvm::StringRef> args,
                    TempFiles &temps) {
  auto log = temps.create("log");
  if (!log)
    return log.takeError();
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(*log),
                                                llvm::StringRef(*log)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(program, args, std::nullopt, redirects, 0, 0,
                                     &message);
  if (rc == 0)
    return llvm::Error::success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(*log))
    output = (*buffer)->getBuffer().str();
  return fail(llvm::sys::path::filename(program) + " failed (" + llvm::Twine(rc) +
              "): " + (output.empty() ? message : output));
}

/// "sm_90" -> "90".
llvm::Expected<std::string> smNumber(llvm::StringRef chip) {
  static const llvm::Regex pattern("^sm_([0-9]+[a-z]?)$");
  llvm::SmallVector<llvm::StringRef> match;
  if (!pattern.match(chip, &match))
    return fail("chip '" + chip + "' is not a CUDA architecture like sm_80 or sm_90");
  return match[1].str();
}


/// A fat binary of `ptx` and of its cubin for each (chip, number).
llvm::Expected<std::string>
buildFatBinary(const std::string &ptx,
               const std::vector<std::pair<std::string, std::string>> &chips,
               const std::string &ptxas, const std::string &fatbinary) {
  TempFiles temps;
  auto ptxPath = temps.create("ptx");
  if (!ptxPath)
    return ptxPath.takeError();
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(*ptxPath, ec);
    if (ec)
      return fail("cannot write " + *ptxPath + ": " + ec.message());
    os << ptx;
  }
  // The PTX names its target; it is the image for every newer GPU.
  llvm::SmallVector<llvm::StringRef> target;
  const llvm::Regex targetLine("\\.target sm_([0-9]+[a-z]?)");
  if (!targetLine.match(ptx, &target))
    return fail("the PTX has no .target line");
  std::vector<std::string> images = {
      ("--image3=kind=ptx,sm=" + target[1] + ",file=" + *ptxPath).str()};
  for (auto &[chip, number] : chips) {
    auto cubin = temps.create("cubin");
    if (!cubin)
      return cubin.takeError();
    std::string arch = "-arch=" + chip;
    if (llvm::Error e = runTool(ptxas, {ptxas, arch, "-O3", *ptxPath, "-o", *cubin}, temps))
      return fail("assembling for " + chip + ": " + llvm::toString(std::move(e)));
    images.push_back("--image3=kind=elf,sm=" + number + ",file=" + *cubin);
  }
  auto fatPath = temps.create("fatbin");
  if (!fatPath)
    return fatPath.takeError();
  std::string create = "--create=" + *fatPath;
  llvm::SmallVector<llvm::StringRef> args = {fatbinary, "--64", create};
  for (const std::string &image : images)
    args.push_back(image);
  if (llvm::Error e = runTool(fatbinary, args, temps))
    return std::move(e);
  auto fat = llvm::MemoryBuffer::getFile(*fatPath, /*IsText=*/false);
  if (!fat)
    return fail("cannot read " + *fatPath + ": " + fat.getError().message());
  return (*fat)->getBuffer().str();
}

} // namespace

llvm::Error embedFatBinaries(ModuleOp module, const CompileOptions &options) {
  std::string tools = findCudaToolDirectory();
  if (tools.empty())
    return fail("--target=cuda needs ptxas and fatbinary from the CUDA toolkit "
                "(looked in $CUDA_HOME/bin, /usr/local/cuda/bin and PATH)");
  std::string ptxas = tools + "/ptxas", fatbinary = tools + "/fatbinary";
  if (!llvm::sys::fs::can_execute(fatbinary))
    return fail("no fatbinary next to " + ptxas);
  std::vector<std::pair<std::string, std::string>> chips; // (chip, number)
  for (const std::string &chip : options.chips) {
    auto number = smNumber(chip);
    if (!number)
      return number.takeError();
    chips.emplace_back(chip, *number);
  }

  // The PTX of every kernel, then one task per kernel (ptxas per chip and
  // fatbinary are separate processes: W1 has 140 kernels), then the results.
  MLIRContext *ctx = module.getContext();
  SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
  std::vector<std::string> ptxs(binaries.size()), fatbins(binaries.size());
  std::vector<std::string> errors(binaries.size());
  for (auto [i, binary] : llvm::enumerate(binaries)) {
    if (binary.getObjects().size() != 1)
      return fail("gpu.binary @" + binary.getName() + " has several objects");
    auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
    if (object.getFormat() != gpu::CompilationTarget::Assembly)
      return fail("gpu.binary @" + binary.getName() + " does not hold PTX");
    ptxs[i] = object.getObject().getValue().str();
  }
  llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
  for (size_t i = 0; i < binaries.size(); ++i)
    pool.async([&, i] {
      auto fat = buildFatBinary(ptxs[i], chips, ptxas, fatbinary);
      if (fat)
        fatbins[i] = std::move(*fat);
      else
        errors[i] = llvm::toString(fat.takeError());
    });
  pool.wait();
  for (auto [i, binary] : llvm::enumerate(binaries)) {
    if (!errors[i].empty())
      return fail("kernel @" + binary.getName() + ": " + errors[i]);
    auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
    auto fatObject = gpu::ObjectAttr::get(
        ctx, object.getTarget(), gpu::CompilationTarget::Fatbin,
        StringAttr::get(ctx, fatbins[i]), object.getProperties(), object.getKernels());
    binary.setObjectsAttr(ArrayAttr::get(ctx, {fatObject}));
  }
  return llvm::Error::success();
}

} // namespace scn
