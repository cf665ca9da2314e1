//===- KernelBuilder.h - building blocks of the CPU lowering ----*- C++ -*-===//
//
// Private to convert-scn-to-cpu. A KernelBuilder wraps an ImplicitLocOpBuilder
// with what every op lowering needs: constants, runtime calls, raw pointers
// of buffers, loads from runtime arrays, vector tiles of channels, and the
// handles (!llvm.ptr) that stand for sites and kernel-map values.
//
//===----------------------------------------------------------------------===//

#ifndef SCN_LIB_CONVERSION_SCNTOCPU_KERNELBUILDER_H
#define SCN_LIB_CONVERSION_SCNTOCPU_KERNELBUILDER_H

#include "scn/Dialect/SCN/IR/SCNOps.h"
#include "scn/Dialect/SCN/IR/TensorCoreLimits.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <functional>

namespace scn::cpu {

/// Widest vector of output channels accumulated in registers at once.
inline constexpr int64_t kMaxTile = 64;

/// Channels [begin, begin + width) of a row: the unit of vector code.
struct ChannelTile {
  int64_t begin;
  int64_t width;
};

/// Splits `channels` into equal tiles of at most `maxWidth` lanes, so each
/// tile is one vector type (width: scn::channelTileWidth, the planner's rule).
llvm::SmallVector<ChannelTile> splitChannels(int64_t channels,
                                             int64_t maxWidth = kMaxTile);

/// A convolution's fused epilogue as its kernels apply it: the steps, the
/// buffers of their operands in order, and the buffer that a `tap` step
/// stores the rows to as they stand (the op's `tapped` result; null
/// without a tap).
struct Epilogue {
  llvm::SmallVector<EpilogueStepAttr> steps;
  llvm::SmallVector<mlir::Value> buffers;
  mlir::Value tapped;
  /// The tapped rows' first column in `tapped`: their slice of a
  /// concatenation that takes them (0: a buffer of their own).
  int64_t tappedColumn = 0;
};

/// State shared by the lowering of one module.
struct ModuleLoweringState {
  mlir::ModuleOp module;
  /// Deduplicated constant globals (i64 arrays, strings) by content.
  llvm::StringMap<std::string> globals;
  unsigned nextGlobal = 0;
  /// convert-scn-to-gpu: runtime arrays that loops read (neighbour tables,
  /// pair lists, row maps, coordinates) are copied once per run into memory
  /// the GPU can read (scn_cg_device_copy), and loops over rows become
  /// kernels.
  bool forGPU = false;
  /// convert-scn-to-gpu: build geometry with the device builders
  /// (scn_cg_gpu_*).
  bool deviceGeometry = false;
  /// convert-scn-to-gpu emulate-warps: tensor-core kernels as host loops
  /// over the lanes of each warp (tests without a GPU; TensorCoreEmulation).
  bool emulateWarps = false;
  /// convert-scn-to-gpu activation-type: the element type (f16, bf16) that
  /// the feature rows between ops are stored in; null: f32. Loads extend to
  /// f32 and stores round, so kernels compute in f32 as before.
  mlir::Type activationType;
  /// convert-scn-to-gpu neighbour-masks (TensorCoreLowering).
  bool neighbourMasks = true;
  /// convert-scn-to-gpu table-prefetch (TensorCoreLowering).
  bool tablePrefetch = true;
};

class KernelBuilder {
public:
  KernelBuilder(ModuleLoweringState &state, mlir::ImplicitLocOpBuilder &b,
                mlir::Value run)
      : state(state), b(b), run(run) {}

  mlir::ImplicitLocOpBuilder &builder() { return b; }
  mlir::Value getRun() const { return run; }

  // Constants.
  mlir::Value index(int64_t v);
  mlir::Value i32(int64_t v);
  mlir::Value i64(int64_t v);
  mlir::Value f32(double v);
  mlir::Value splat(mlir::VectorType type, double v);
  mlir::Type ptrType();

  /// Pointer to an internal constant array of int64 values.
  mlir::Value constI64Array(llvm::ArrayRef<int64_t> values);
  /// Pointer to an internal constant, NUL-terminated string.
  mlir::Value constString(llvm::StringRef text);
  /// "scn.op at file:line:col": how runtime errors name an op.
  mlir::Value opDescription(mlir::Operation *op);

  /// Calls runtime function `name` (declared on first use).
  mlir::Value call(llvm::StringRef name, mlir::Type result,
                   mlir::ValueRange args);
  /// The same, for functions with any number of results.
  llvm::SmallVector<mlir::Value> callResults(llvm::StringRef name, mlir::TypeRange results,
                                             mlir::ValueRange args);
  /// Calls runtime function `name`, which returns a pointer to an array of
  /// `bytes` (i64) bytes owned by the run. For the GPU the result is the
  /// run's device-visible copy of it.
  mlir::Value runtimeArray(llvm::StringRef name, mlir::ValueRange args,
                           mlir::Value bytes);
  /// `count` (index), or 0 when any of `arrays` (runtime arrays) is null: a
  /// runtime call that could not build an array has failed the run and
  /// returned null, and a loop or kernel over 0 rows reads none of it.
  mlir::Value countIfPresent(mlir::Value count, mlir::ValueRange arrays);
  /// `count * elementBytes` as i64 (count: index or i64).
  mlir::Value byteSize(mlir::Value count, int64_t elementBytes);
  bool forGPU() const { return state.forGPU; }
  bool emulateWarps() const { return state.emulateWarps; }
  /// Whether feature rows are stored narrower than f32 (activation-type).
  bool narrowActivations() const { return static_cast<bool>(state.activationType); }
  bool neighbourMasks() const { return state.neighbourMasks; }
  bool tablePrefetch() const { return state.tablePrefetch; }
  /// Whether geometry is built by the device builders (convert-scn-to-gpu
  /// device-geometry).
  bool deviceGeometry() const { return state.forGPU && state.deviceGeometry; }
  /// The runtime function for geometry function `cpuName` (scn_cg_X): itself,
  /// or scn_cg_gpu_X for device geometry (same arguments and results).
  std::string geometryFn(llvm::StringRef cpuName) const;

  // Buffers.
  /// The buffer of a tensor value (identity layout).
  mlir::Value toBuffer(mlir::Value tensor);
  /// A tensor over a buffer this lowering allocated and filled. A buffer
  /// of stored activations (f16, bf16) for an f32 tensor becomes a tensor
  /// of its own type, extended to f32 by an elementwise op: later ops'
  /// toBuffer takes the buffer itself, and only uses outside the lowered
  /// ops (the function's results) keep the extension, a kernel.
  mlir::Value toTensor(mlir::Value buffer, mlir::Type tensorType);
  /// A new row-major buffer [rows, channels] (rows dynamic) for the rows
  /// of `owner` (null: the op being lowered). Feature rows (f32 `element`)
  /// are stored in the owner's storage_type on the GPU (rows only f16/bf16
  /// tensor cores read: scn-plan-dataflow), else in the activation type
  /// unless `exact` (sums that must stay f32, such as atomically merged
  /// input rows).
  mlir::Value allocRows(mlir::Value rows, int64_t channels, mlir::Type element,
                        bool exact = false, mlir::Operation *owner = nullptr);
  /// A new buffer for an op's `tapped` rows (an epilogue's tap step): in the
  /// activation type, never the op's storage_type, which is its first
  /// result's (a residual sum that SIMT kernels read must not be rounded
  /// to the tensor cores' type).
  mlir::Value allocTappedRows(mlir::Value rows, int64_t channels, mlir::Type element);
  /// The storage_type of `op` that the GPU lowering stores its rows in
  /// (f16 or bf16), or null.
  mlir::Type storageTypeOf(mlir::Operation *op) const;
  /// A new buffer aligned to kBufferAlignment bytes, which the vector
  /// alignment claims of alignmentOf rely on (GPU allocations are aligned
  /// to 256 bytes anyway; this makes host ones, emulated kernels', so too).
  mlir::Value allocAligned(mlir::MemRefType type, mlir::ValueRange dynamicSizes = {});
  static constexpr int64_t kBufferAlignment = 64;
  /// A rank-1 view of a contiguous (identity-layout) buffer.
  mlir::Value flatten(mlir::Value buffer);
  /// Raw pointer of a buffer's first element.
  mlir::Value pointerOf(mlir::Value buffer);
  /// Loads element `i` (index) of a runtime array of `type` (i32 / i64).
  mlir::Value loadArray(mlir::Value ptr, mlir::Value i, mlir::Type type);
  /// Stores `value` at element `i` of the array at `ptr` (its type's).
  void storeArray(mlir::Value value, mlir::Value ptr, mlir::Value i);

  // Checks that kernels make (GPU lowering only).
  /// The lowering of scn op `op` starts here (SCNToCPU's loop, with the
  /// builder right before `op`).
  void beginOp(mlir::Operation *op);
  /// The run's check word for `message` about the op being lowered
  /// (scn_cg_gpu_check_flag: the run fails with "<op>: <message>" when a
  /// kernel sets it), asked for at the start of the op's host code on first
  /// use, so that any of its kernels can set it.
  mlir::Value opCheckWord(llvm::StringRef message);
  /// In a kernel: sets `word` to 1 when `bad` (i1) holds, unless the word
  /// is null (the runtime could not give one and the run has failed).
  void setCheckWordIf(mlir::Value word, mlir::Value bad);
  /// In a GPU kernel about to round `values` (f32 or a vector of f32) to f16
  /// for storage in `buffer`: fails the run (the op's check word) when one
  /// rounds to inf, instead of storing it silently. storeTile and
  /// storeElement call it.
  void checkF16Range(mlir::Value values, mlir::Value buffer = {});
  /// Whether |v| >= `limit` (positive) or v is NaN, for `values` f32 or a
  /// vector of f32 (then whether any is): the magnitude's bits compared as
  /// integers (non-negative floats order as their bits), so that no
  /// math.absf reaches convert-gpu-to-nvvm, which lowers a scalar one to a
  /// libdevice call that the PTX leaves unresolved (__nv_fabsf).
  mlir::Value magnitudeAtLeast(mlir::Value values, float limit);
  /// index_cast helpers.
  mlir::Value toIndex(mlir::Value v);
  mlir::Value toI64(mlir::Value v);

  // Loops.
  /// scf.parallel over [0, n): every output row is written by one iteration.
  void parallelRows(mlir::Value n,
                    llvm::function_ref<void(mlir::Value)> body);
  /// scf.for over [0, n) without results.
  void forLoop(mlir::Value n, llvm::function_ref<void(mlir::Value)> body);
  /// scf.for over [0, n) carrying one value.
  mlir::Value forLoopCarry(mlir::Value n, mlir::Value init,
                           llvm::function_ref<mlir::Value(mlir::Value,
                                                          mlir::Value)>
                               body);

  /// scf.for over [0, n) carrying several values.
  llvm::SmallVector<mlir::Value>
  forLoopCarryN(mlir::Value n, mlir::ValueRange inits,
                llvm::function_ref<llvm::SmallVector<mlir::Value>(
                    mlir::Value, mlir::ValueRange)>
                    body);

  // Vector tiles of a row. `alignBytes` (0: the element's) is the
  // alignment the caller proved for the tile's address: NVPTX emits a
  // vector load or store (ld.v2, ld.v4) only for an aligned one, and splits
  // the rest into scalar ones. Tiles of f16 / bf16 buffers (stored
  // activations) load as f32 and store rounded from f32.
  mlir::Value loadTile(mlir::Value buffer, mlir::ValueRange indices, int64_t width,
                       int64_t alignBytes = 0);
  /// loadTile in two parts: the load, elements as stored, and their
  /// widening to f32 (none for f32), for callers that issue loads ahead
  /// of the first use.
  mlir::Value loadTileAsStored(mlir::Value buffer, mlir::ValueRange indices, int64_t width,
                               int64_t alignBytes = 0);
  mlir::Value widenTile(mlir::Value tile);
  void storeTile(mlir::Value tile, mlir::Value buffer, mlir::ValueRange indices,
                 int64_t alignBytes = 0);
  /// One element of a feature buffer, as f32 (see loadTile), and its store.
  mlir::Value loadElement(mlir::Value buffer, mlir::ValueRange indices);
  void storeElement(mlir::Value value, mlir::Value buffer, mlir::ValueRange indices);

  /// The concatenation an op writes `rows` (one of its results) into
  /// (scn.concat's `fused_operands`), with the channel offset of its
  /// slice; null when they go to a buffer of their own. Records that the
  /// op does so.
  std::pair<ConcatOp, int64_t> getFusedConcat(mlir::Value rows);
  /// Whether operand `index` of `concat` was written into its result by its
  /// producer.
  bool isWrittenIntoConcat(ConcatOp concat, unsigned index) const {
    return writtenIntoConcat.contains({concat.getOperation(), index});
  }
  /// The result buffer of `concat`, allocated at the first call with `rows`.
  mlir::Value getConcatBuffer(ConcatOp concat, mlir::Value rows);

  // Geometry handles.
  void setHandle(mlir::Value scnValue, mlir::Value handle) {
    handles[scnValue] = handle;
  }
  mlir::Value handle(mlir::Value scnValue) const {
    return handles.lookup(scnValue);
  }

private:
  mlir::Value addressOfGlobal(llvm::StringRef key, mlir::Type type,
                              mlir::Attribute value);

  ModuleLoweringState &state;
  mlir::ImplicitLocOpBuilder &b;
  mlir::Value run;
  llvm::DenseMap<mlir::Value, mlir::Value> handles;
  llvm::DenseMap<mlir::Operation *, mlir::Value> concatBuffers;
  llvm::DenseSet<std::pair<mlir::Operation *, unsigned>> writtenIntoConcat;
  /// f32 tensors (toTensor's extensions) -> their narrow activation buffer.
  llvm::DenseMap<mlir::Value, mlir::Value> narrowBuffers;
  /// The op being lowered (beginOp), what its host code follows, and its
  /// check words by message.
  mlir::Operation *currentOp = nullptr;
  /// Buffers allocRows narrowed to an op's storage_type: their f16 range
  /// check names the tensor cores, not --activations.
  llvm::DenseSet<mlir::Value> multiplicandBuffers;
  mlir::Operation *beforeCurrentOp = nullptr;
  llvm::StringMap<mlir::Value> checkWords;
};

/// Raw pointer (!llvm.ptr) of a buffer's first element, for a runtime call;
/// also what scn-gpu-offload hands the runtime.
mlir::Value pointerOf(mlir::OpBuilder &b, mlir::Location loc, mlir::Value buffer);

/// Lowers every scn op of every function of `module` (convert-scn-to-cpu,
/// and with `forGPU` convert-scn-to-gpu, with `deviceGeometry` where every
/// geometry op of a function has a device builder, with `emulateWarps`
/// tensor-core kernels that run on the host, with `activationType` feature
/// rows stored in f16/bf16, and `neighbourMasks` and `tablePrefetch` as the
/// pass options).
mlir::LogicalResult lowerSCNModule(mlir::ModuleOp module, bool forGPU,
                                   bool deviceGeometry = false,
                                   bool emulateWarps = false,
                                   mlir::Type activationType = {},
                                   bool neighbourMasks = true, bool tablePrefetch = true);

/// Lowers one scn op; `kb` is positioned right before it. Fails with a
/// diagnostic on the op when it cannot be lowered.
mlir::LogicalResult lowerGeometryOp(KernelBuilder &kb, mlir::Operation *op,
                                    bool &handled);
mlir::LogicalResult lowerConvolutionOp(KernelBuilder &kb, mlir::Operation *op,
                                       bool &handled);
mlir::LogicalResult lowerPoolingOp(KernelBuilder &kb, mlir::Operation *op,
                                   bool &handled);
mlir::LogicalResult lowerPointwiseOp(KernelBuilder &kb, mlir::Operation *op,
                                     bool &handled);

/// The tensor-core convolution (dataflow "tensor_core", CUDA only; see
/// TensorCoreLowering.cpp): takes output rows in the order `order` ([rows],
/// scn_cg_row_order), reads their neighbours in that order from `table`
/// ([rows, volume], scn_cg_row_table), writes `out`
/// (at column `columnOffset` of a concatenation). `masks` ([rows],
/// scn_cg_row_masks: the rows' neighbour masks in that order), when not
/// null, tells each warp which offsets its rows have (filters of up to
/// kRowMaskOffsets offsets); without it warps vote per offset.
mlir::LogicalResult
emitTensorCore(KernelBuilder &kb, mlir::Operation *op, mlir::Value x, mlir::Value w,
               mlir::Value biasBuf, const Epilogue &epilogue, mlir::Value out,
               int64_t columnOffset, mlir::Value table, mlir::Value order,
               mlir::Value masks, mlir::Value rows, int64_t volume, int64_t inChannels,
               int64_t outChannels);

/// Applies the fused epilogue to `acc` (channels `channelBegin` on of
/// output row `row`), reading step operands from their buffers; at a `tap`
/// step it stores the row as it stands to `epilogue.tapped`, at the same
/// row and channels. With `alignedTiles` the caller guarantees that
/// `channelBegin` is a multiple of the tile's width, so loads and the
/// tapped store are aligned vector accesses where the buffers allow it
/// (alignmentOf).
mlir::Value applyEpilogue(KernelBuilder &kb, mlir::Value acc, const Epilogue &epilogue,
                          mlir::Value row, mlir::Value channelBegin,
                          bool alignedTiles = false);

/// The alignment in bytes of a tile of `elements` (a power of two) of
/// `buffer` ([rows, width] or [width]) at column `columnOffset` + a multiple
/// of `elements`: `elements` x the element size when the buffer has the
/// identity layout (rows start at multiples of the row size from the
/// allocation, whose start every allocator aligns to 16 bytes or more) and
/// the width and `columnOffset` are multiples of `elements`; else 0 (the
/// element's own).
int64_t alignmentOf(mlir::Value buffer, int64_t elements, int64_t columnOffset = 0);

/// Channels [channel, channel + width) of one row. `aligned`: `channel` is
/// a multiple of `width`, so the tile's loads and stores may claim the
/// alignment of buffers that allow it (alignmentOf).
struct RowTile {
  mlir::Value row, channel;
  int64_t width;
  bool aligned;
};

/// Calls `body` for every tile of `channels` channels of `rows` rows. On
/// the CPU, an iteration per row over its static channel tiles (whole
/// vector registers). On the GPU, an iteration (a thread) per 4 channels
/// of a row when the channels allow it: neighbouring threads then touch
/// neighbouring 16 bytes, each by one aligned load or store. A thread per
/// row (the CPU's shape) would read 32 rows at once per load instruction
/// and hold a whole row in registers (W1: up to 128 a thread, 1024 scalar
/// loads a kernel).
void forEachRowTile(KernelBuilder &kb, mlir::Value rows, int64_t channels,
                    llvm::function_ref<void(const RowTile &)> body);

/// The alignment a tile `t` may claim in `buffer` (alignmentOf when the
/// tile's channel is a multiple of its width, else 0: the element's).
int64_t alignmentOf(mlir::Value buffer, const RowTile &t);

/// The tile `t` of `buffer`: of its row t.row, or for a per-channel buffer
/// ([C]: batch-norm scales) the same channels.
mlir::Value loadTile(KernelBuilder &kb, mlir::Value buffer, const RowTile &t);

/// Stores `tile` at row t.row, channels of `t`, of `buffer` ([rows, C]).
void storeTile(KernelBuilder &kb, mlir::Value tile, mlir::Value buffer, const RowTile &t);

/// One activation on a vector: relu, leaky_relu(alpha), sigmoid, tanh,
/// elu(alpha), selu.
mlir::Value applyActivation(KernelBuilder &kb, EpilogueKind kind, double alpha,
                            mlir::Value x);

} // namespace scn::cpu

#endif // SCN_LIB_CONVERSION_SCNTOCPU_KERNELBUILDER_H
