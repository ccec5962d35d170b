// oneDNN 2.x convolutions on tensors that live in the tfjs wasm backend's heap (a WebAssembly.Memory's
// ArrayBuffer), read and written in place: NHWC activations, HWIO filters, float32.
//
// The JavaScript side (src/backend/kernels/onednn/) passes the heap's ArrayBuffer on every call, since
// the wasm memory can grow and move between calls, and byte offsets of the operands inside it. Every
// operand's extent is checked against the heap's length before oneDNN touches it.
//
// Exports:
//   version() -> { major, minor, patch, isa }       the oneDNN library actually loaded
//   forward(heap, geometry, x, w, bias, y, relu, threads) -> bool    y = act(conv(x, w) + bias)
//   backwardData(heap, geometry, dy, w, dx, threads) -> bool         dx = conv2DBackpropInput
//   backwardWeights(heap, geometry, x, dy, dw, threads) -> bool      dw = conv2DBackpropFilter
// A `false` result means oneDNN has no implementation for that geometry (the caller falls back to the
// wasm kernel); any other failure throws. `geometry` is an Int32Array of kGeometryLength entries, see
// Geometry below; `bias` is -1 when absent.
#include <node_api.h>
#include <omp.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#if DNNL_VERSION_MAJOR != 2
#error "sgd-factors' oneDNN addon is written against the oneDNN 2.x API (Debian/Ubuntu libdnnl-dev 2.x)"
#endif

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

constexpr int kGeometryLength = 17;

// The forward convolution's geometry, as tfjs's computeConv2DInfo gives it. Pads are oneDNN's: the
// bottom/right pads are the ones that make oneDNN's floor((in - k_eff + pad_l + pad_r) / s) + 1 equal
// tfjs's output size (computed on the JavaScript side).
struct Geometry {
  int32_t n, h, w, c, o, kh, kw, oh, ow, sh, sw, dh, dw, padTop, padBottom, padLeft, padRight;
};

enum Kind : int32_t { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

struct Descs {
  memory::desc src, weights, bias, dst;
};

Descs descsOf(const Geometry& g, bool bias) {
  return {
      memory::desc({g.n, g.c, g.h, g.w}, dt::f32, tag::nhwc),
      memory::desc({g.o, g.c, g.kh, g.kw}, dt::f32, tag::hwio),
      bias ? memory::desc({g.o}, dt::f32, tag::x) : memory::desc(),
      memory::desc({g.n, g.o, g.oh, g.ow}, dt::f32, tag::nhwc),
  };
}

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& threadStream() {
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

// Buffers owned by the caller, one set per calling thread, so that worker threads may run the same cached
// primitive at once: slot 0 holds the scratchpad (scratchpad_mode::user), slot 1 the filter in the layout
// the primitive wants when that is not HWIO.
void* threadBuffer(int slot, size_t bytes) {
  struct Buffer {
    std::unique_ptr<uint8_t[]> raw;
    size_t size = 0;
  };
  thread_local Buffer buffers[2];
  Buffer& buffer = buffers[slot];
  constexpr size_t kAlign = 64;
  if (bytes + kAlign > buffer.size) {
    buffer.size = bytes + kAlign;
    buffer.raw.reset(new uint8_t[buffer.size]);
  }
  auto address = reinterpret_cast<uintptr_t>(buffer.raw.get());
  return reinterpret_cast<void*>((address + kAlign - 1) & ~(kAlign - 1));
}

// A primitive for one geometry. The filter is left to oneDNN's choice of layout (format `any`): its fast
// kernels want blocked filters. Filters are small, so they are reordered from or to HWIO on every call.
struct Entry {
  bool implemented = false;
  dnnl::primitive primitive;
  memory::desc scratchpad;
  memory::desc weights;         // the filter layout the primitive uses
  bool reorderWeights = false;  // whether that differs from HWIO
  dnnl::primitive weightsReorder;
};

using Key = std::array<int32_t, kGeometryLength + 4>;

dnnl::primitive_attr userScratchpadAttr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

dnnl::convolution_forward::desc forwardDesc(const Geometry& g, const Descs& d) {
  const memory::dims strides{g.sh, g.sw}, dilates{g.dh - 1, g.dw - 1};
  const memory::dims left{g.padTop, g.padLeft}, right{g.padBottom, g.padRight};
  if (d.bias.is_zero()) {
    return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                           dnnl::algorithm::convolution_direct, d.src, d.weights, d.dst,
                                           strides, dilates, left, right);
  }
  return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                         dnnl::algorithm::convolution_direct, d.src, d.weights, d.bias,
                                         d.dst, strides, dilates, left, right);
}

template <typename PrimitiveDesc>
void finishEntry(Entry& entry, const PrimitiveDesc& pd, const memory::desc& weights, const memory::desc& hwio,
                 bool weightsAreOutput) {
  const auto& engine = cpuEngine();
  entry.scratchpad = pd.scratchpad_desc();
  entry.weights = weights;
  entry.reorderWeights = weights != hwio;
  if (entry.reorderWeights) {
    entry.weightsReorder = weightsAreOutput
                               ? dnnl::reorder(dnnl::reorder::primitive_desc(engine, weights, engine, hwio))
                               : dnnl::reorder(dnnl::reorder::primitive_desc(engine, hwio, engine, weights));
  }
  entry.implemented = true;
}

Entry create(Kind kind, const Geometry& g, bool bias, bool relu) {
  const Descs user = descsOf(g, bias);
  Descs d = user;
  d.weights = memory::desc({g.o, g.c, g.kh, g.kw}, dt::f32, tag::any);
  const memory::dims strides{g.sh, g.sw}, dilates{g.dh - 1, g.dw - 1};
  const memory::dims left{g.padTop, g.padLeft}, right{g.padBottom, g.padRight};
  Entry entry;
  try {
    const auto& engine = cpuEngine();
    if (kind == kForward) {
      dnnl::primitive_attr attr = userScratchpadAttr();
      if (relu) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
        attr.set_post_ops(ops);
      }
      dnnl::convolution_forward::primitive_desc pd(forwardDesc(g, d), attr, engine);
      entry.primitive = dnnl::convolution_forward(pd);
      finishEntry(entry, pd, pd.weights_desc(), user.weights, false);
    } else {
      // The backward primitives need the forward one as a hint; it is never executed.
      Descs hintDescs = d;
      hintDescs.bias = memory::desc();
      dnnl::convolution_forward::primitive_desc hint(forwardDesc(g, hintDescs), engine);
      if (kind == kBackwardData) {
        dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, d.src, d.weights,
                                                   d.dst, strides, dilates, left, right);
        dnnl::convolution_backward_data::primitive_desc pd(desc, userScratchpadAttr(), engine, hint);
        entry.primitive = dnnl::convolution_backward_data(pd);
        finishEntry(entry, pd, pd.weights_desc(), user.weights, false);
      } else {
        dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, d.src,
                                                      d.weights, d.dst, strides, dilates, left, right);
        dnnl::convolution_backward_weights::primitive_desc pd(desc, userScratchpadAttr(), engine, hint);
        entry.primitive = dnnl::convolution_backward_weights(pd);
        finishEntry(entry, pd, pd.diff_weights_desc(), user.weights, true);
      }
    }
  } catch (const dnnl::error& e) {
    if (e.status != dnnl_unimplemented) throw;
  }
  return entry;
}

// Primitives are cached per geometry and thread count (oneDNN splits the work among the threads it sees
// when the primitive is created).
const Entry& lookup(Kind kind, const Geometry& g, bool bias, bool relu, int threads) {
  static std::mutex mutex;
  static std::map<Key, Entry> cache;
  Key key{};
  key[0] = kind;
  key[1] = bias;
  key[2] = relu;
  key[3] = threads;
  const int32_t* fields = &g.n;
  for (int i = 0; i < kGeometryLength; i++) key[4 + i] = fields[i];
  std::lock_guard<std::mutex> lock(mutex);
  auto found = cache.find(key);
  if (found != cache.end()) return found->second;
  return cache.emplace(key, create(kind, g, bias, relu)).first->second;
}

// ---- N-API plumbing -------------------------------------------------------------------------------

struct Failure {
  std::string message;
};

void check(napi_status status, const char* what) {
  if (status != napi_ok) throw Failure{std::string("onednn addon: ") + what};
}

struct Heap {
  uint8_t* data;
  size_t length;
};

Heap heapArg(napi_env env, napi_value value) {
  bool isArrayBuffer = false;
  check(napi_is_arraybuffer(env, value, &isArrayBuffer), "napi_is_arraybuffer failed");
  if (!isArrayBuffer) throw Failure{"onednn addon: heap must be an ArrayBuffer (the wasm memory's buffer)"};
  void* data = nullptr;
  size_t length = 0;
  check(napi_get_arraybuffer_info(env, value, &data, &length), "napi_get_arraybuffer_info failed");
  return {static_cast<uint8_t*>(data), length};
}

Geometry geometryArg(napi_env env, napi_value value) {
  bool isTyped = false;
  check(napi_is_typedarray(env, value, &isTyped), "napi_is_typedarray failed");
  if (!isTyped) throw Failure{"onednn addon: geometry must be an Int32Array"};
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  check(napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr),
        "napi_get_typedarray_info failed");
  if (type != napi_int32_array || length != kGeometryLength) {
    throw Failure{"onednn addon: geometry must be an Int32Array of " + std::to_string(kGeometryLength) +
                  " entries"};
  }
  Geometry g;
  const auto* values = static_cast<const int32_t*>(data);
  int32_t* fields = &g.n;
  for (int i = 0; i < kGeometryLength; i++) fields[i] = values[i];
  for (int i = 0; i < 13; i++) {
    if (fields[i] < 1) throw Failure{"onednn addon: geometry entry " + std::to_string(i) + " must be >= 1"};
  }
  for (int i = 13; i < kGeometryLength; i++) {
    if (fields[i] < 0) throw Failure{"onednn addon: padding entry " + std::to_string(i) + " must be >= 0"};
  }
  return g;
}

int64_t intArg(napi_env env, napi_value value, const char* name) {
  int64_t out = 0;
  napi_valuetype type;
  check(napi_typeof(env, value, &type), "napi_typeof failed");
  if (type != napi_number) throw Failure{std::string("onednn addon: ") + name + " must be a number"};
  check(napi_get_value_int64(env, value, &out), "napi_get_value_int64 failed");
  return out;
}

// A float32 operand of `count` elements at byte `offset` of the heap, checked to lie inside it.
void* operand(const Heap& heap, int64_t offset, int64_t count, const char* name) {
  const int64_t bytes = count * 4;
  if (offset < 0 || offset % 4 != 0 || static_cast<uint64_t>(offset + bytes) > heap.length) {
    throw Failure{std::string("onednn addon: operand ") + name + " (offset " + std::to_string(offset) +
                  ", " + std::to_string(bytes) + " bytes) does not lie inside the heap (" +
                  std::to_string(heap.length) + " bytes)"};
  }
  return heap.data + offset;
}

int64_t srcCount(const Geometry& g) { return int64_t(g.n) * g.h * g.w * g.c; }
int64_t dstCount(const Geometry& g) { return int64_t(g.n) * g.oh * g.ow * g.o; }
int64_t weightsCount(const Geometry& g) { return int64_t(g.kh) * g.kw * g.c * g.o; }

int threadsArg(napi_env env, napi_value value) {
  const int64_t threads = intArg(env, value, "threads");
  if (threads < 1 || threads > 4096) throw Failure{"onednn addon: threads must be in [1, 4096]"};
  return static_cast<int>(threads);
}

// Runs a cached primitive on operands in place (the filter through the per-thread buffer when the
// primitive wants another layout).
void execute(Kind kind, const Entry& entry, const Geometry& g, void* src, void* weights, void* bias, void* dst) {
  const Descs d = descsOf(g, bias != nullptr);
  const auto& engine = cpuEngine();
  auto& stream = threadStream();
  const memory userWeights(d.weights, engine, weights);
  const memory primitiveWeights =
      entry.reorderWeights ? memory(entry.weights, engine, threadBuffer(1, entry.weights.get_size())) : userWeights;
  const bool weightsAreOutput = kind == kBackwardWeights;
  if (entry.reorderWeights && !weightsAreOutput) {
    entry.weightsReorder.execute(stream, {{DNNL_ARG_FROM, userWeights}, {DNNL_ARG_TO, primitiveWeights}});
  }
  std::unordered_map<int, memory> args;
  const int srcArg = kind == kBackwardData ? DNNL_ARG_DIFF_SRC : DNNL_ARG_SRC;
  const int weightsArg = weightsAreOutput ? DNNL_ARG_DIFF_WEIGHTS : DNNL_ARG_WEIGHTS;
  const int dstArg = kind == kForward ? DNNL_ARG_DST : DNNL_ARG_DIFF_DST;
  args.emplace(srcArg, memory(d.src, engine, src));
  args.emplace(weightsArg, primitiveWeights);
  args.emplace(dstArg, memory(d.dst, engine, dst));
  if (bias != nullptr) args.emplace(DNNL_ARG_BIAS, memory(d.bias, engine, bias));
  args.emplace(DNNL_ARG_SCRATCHPAD, memory(entry.scratchpad, engine, threadBuffer(0, entry.scratchpad.get_size())));
  entry.primitive.execute(stream, args);
  if (entry.reorderWeights && weightsAreOutput) {
    entry.weightsReorder.execute(stream, {{DNNL_ARG_FROM, primitiveWeights}, {DNNL_ARG_TO, userWeights}});
  }
  stream.wait();
}

// The filter gradient sums over the batch; oneDNN splits that sum among its threads, so its rounding
// would depend on the thread count (a worker thread on 1 thread and the main thread on all cores would
// disagree in the last bits, and a training run would not repeat on another machine). Instead the batch
// is cut into a number of chunks that depends on the batch size only; each chunk's gradient is computed
// on one thread (chunks in parallel) into its own buffer, and the chunks are summed in a fixed order.
constexpr int kWeightChunks = 16;

bool runBackwardWeights(const Geometry& g, int threads, float* x, float* dw, float* dy) {
  const int chunks = std::min(g.n, kWeightChunks);
  const int base = g.n / chunks, extra = g.n % chunks;  // the first `extra` chunks get one more image
  Geometry larger = g, smaller = g;
  larger.n = base + 1;
  smaller.n = base;
  omp_set_num_threads(1);  // single-threaded primitives, created outside the parallel loop
  const Entry* largerEntry = extra > 0 ? &lookup(kBackwardWeights, larger, false, false, 1) : nullptr;
  const Entry* smallerEntry = extra < chunks ? &lookup(kBackwardWeights, smaller, false, false, 1) : nullptr;
  omp_set_num_threads(threads);
  if ((largerEntry && !largerEntry->implemented) || (smallerEntry && !smallerEntry->implemented)) return false;
  const int64_t filter = weightsCount(g);
  const int64_t xImage = int64_t(g.h) * g.w * g.c, dyImage = int64_t(g.oh) * g.ow * g.o;
  std::vector<float> partial(static_cast<size_t>(filter * chunks));
  std::string failure;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int c = 0; c < chunks; c++) {
    const int first = c * base + std::min(c, extra);
    const bool isLarger = c < extra;
    try {
      execute(kBackwardWeights, isLarger ? *largerEntry : *smallerEntry, isLarger ? larger : smaller,
              x + first * xImage, partial.data() + c * filter, nullptr, dy + first * dyImage);
    } catch (const std::exception& e) {
#pragma omp critical
      failure = e.what();
    }
  }
  if (!failure.empty()) throw std::runtime_error(failure);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t i = 0; i < filter; i++) {
    float sum = partial[i];
    for (int c = 1; c < chunks; c++) sum += partial[c * filter + i];
    dw[i] = sum;
  }
  return true;
}

bool run(Kind kind, const Geometry& g, bool relu, int threads, void* src, void* weights, void* bias,
         void* dst) {
  if (kind == kBackwardWeights) {
    return runBackwardWeights(g, threads, static_cast<float*>(src), static_cast<float*>(weights),
                              static_cast<float*>(dst));
  }
  // omp_set_num_threads sets the calling thread's own setting: a worker thread's choice does not
  // change the main thread's.
  omp_set_num_threads(threads);
  const Entry& entry = lookup(kind, g, bias != nullptr, relu, threads);
  if (!entry.implemented) return false;
  execute(kind, entry, g, src, weights, bias, dst);
  return true;
}

napi_value boolean(napi_env env, bool value) {
  napi_value out;
  napi_get_boolean(env, value, &out);
  return out;
}

template <size_t N>
std::array<napi_value, N> argsOf(napi_env env, napi_callback_info info, const char* name) {
  size_t argc = N;
  std::array<napi_value, N> argv{};
  check(napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr), "napi_get_cb_info failed");
  if (argc != N) throw Failure{std::string("onednn addon: ") + name + " takes " + std::to_string(N) + " arguments"};
  return argv;
}

template <typename F>
napi_value guarded(napi_env env, F&& body) {
  try {
    return body();
  } catch (const Failure& f) {
    napi_throw_error(env, nullptr, f.message.c_str());
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string("onednn addon: ") + e.what()).c_str());
  }
  return nullptr;
}

napi_value Forward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = argsOf<8>(env, info, "forward");
    const Heap heap = heapArg(env, a[0]);
    const Geometry g = geometryArg(env, a[1]);
    void* x = operand(heap, intArg(env, a[2], "x"), srcCount(g), "x");
    void* w = operand(heap, intArg(env, a[3], "w"), weightsCount(g), "w");
    const int64_t biasOffset = intArg(env, a[4], "bias");
    void* bias = biasOffset < 0 ? nullptr : operand(heap, biasOffset, g.o, "bias");
    void* y = operand(heap, intArg(env, a[5], "y"), dstCount(g), "y");
    bool relu = false;
    check(napi_get_value_bool(env, a[6], &relu), "relu must be a boolean");
    return boolean(env, run(kForward, g, relu, threadsArg(env, a[7]), x, w, bias, y));
  });
}

napi_value BackwardData(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = argsOf<6>(env, info, "backwardData");
    const Heap heap = heapArg(env, a[0]);
    const Geometry g = geometryArg(env, a[1]);
    void* dy = operand(heap, intArg(env, a[2], "dy"), dstCount(g), "dy");
    void* w = operand(heap, intArg(env, a[3], "w"), weightsCount(g), "w");
    void* dx = operand(heap, intArg(env, a[4], "dx"), srcCount(g), "dx");
    return boolean(env, run(kBackwardData, g, false, threadsArg(env, a[5]), dx, w, nullptr, dy));
  });
}

napi_value BackwardWeights(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    auto a = argsOf<6>(env, info, "backwardWeights");
    const Heap heap = heapArg(env, a[0]);
    const Geometry g = geometryArg(env, a[1]);
    void* x = operand(heap, intArg(env, a[2], "x"), srcCount(g), "x");
    void* dy = operand(heap, intArg(env, a[3], "dy"), dstCount(g), "dy");
    void* dw = operand(heap, intArg(env, a[4], "dw"), weightsCount(g), "dw");
    return boolean(env, run(kBackwardWeights, g, false, threadsArg(env, a[5]), x, dw, nullptr, dy));
  });
}

const char* isaName(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

napi_value Version(napi_env env, napi_callback_info) {
  return guarded(env, [&] {
    const dnnl_version_t* v = dnnl_version();
    napi_value out, value;
    check(napi_create_object(env, &out), "napi_create_object failed");
    const std::pair<const char*, int> numbers[] = {{"major", v->major}, {"minor", v->minor}, {"patch", v->patch}};
    for (const auto& [name, number] : numbers) {
      check(napi_create_int32(env, number, &value), "napi_create_int32 failed");
      check(napi_set_named_property(env, out, name, value), "napi_set_named_property failed");
    }
    const char* isa = isaName(dnnl::get_effective_cpu_isa());
    check(napi_create_string_utf8(env, isa, NAPI_AUTO_LENGTH, &value), "napi_create_string_utf8 failed");
    check(napi_set_named_property(env, out, "isa", value), "napi_set_named_property failed");
    check(napi_create_int32(env, DNNL_VERSION_MAJOR, &value), "napi_create_int32 failed");
    check(napi_set_named_property(env, out, "builtMajor", value), "napi_set_named_property failed");
    return out;
  });
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor properties[] = {
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"forward", nullptr, Forward, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"backwardData", nullptr, BackwardData, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"backwardWeights", nullptr, BackwardWeights, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

}  // namespace

NAPI_MODULE_INIT() { return Init(env, exports); }
