// Benchmarks of the sparse maps against torch::softmax and against sort/bisection-based implementations, all
// measured in the same process on the same input tensors (the machines are shared and noisy, so only ratios
// within one run mean anything). After Google Benchmark's own output, prints Markdown tables of ratios.
//
//   make bench                                   # everything (a few minutes)
//   make bench BENCH_ARGS=--benchmark_filter=f32/randn
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "mixdist/simplex/entmax15.h"
#include "mixdist/simplex/entmax_bisect.h"
#include "mixdist/simplex/generic.h"
#include "mixdist/simplex/sparsemax.h"

namespace {

// The alpha of the generic alpha-entmax rows (1.5 and 2 would take the exact fast paths).
constexpr double kAlpha = 1.3;

// A straightforward fused C++ sparsemax by 30 bisection steps on tau per row: the "bisection" comparator of
// docs/performance.md#sparse-map-benchmarks (a sort-free method whose cost does not depend on the support
// size).
at::Tensor bisect30_sparsemax(const at::Tensor& x_in) {
  at::Tensor x = x_in.contiguous();
  at::Tensor y = at::empty_like(x);
  const int64_t rows = x.size(0), K = x.size(1);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "bisect30", [&] {
    const scalar_t* xp = x.data_ptr<scalar_t>();
    scalar_t* yp = y.data_ptr<scalar_t>();
    for (int64_t r = 0; r < rows; ++r) {
      const scalar_t* xr = xp + r * K;
      scalar_t m = xr[0];
      for (int64_t i = 1; i < K; ++i) m = std::max(m, xr[i]);
      scalar_t lo = m - 1, hi = m;
      for (int it = 0; it < 30; ++it) {
        const scalar_t mid = (lo + hi) / 2;
        scalar_t s = 0;
        for (int64_t i = 0; i < K; ++i) s += std::max(xr[i] - mid, scalar_t(0));
        (s >= 1 ? lo : hi) = mid;
      }
      for (int64_t i = 0; i < K; ++i) yp[r * K + i] = std::max(xr[i] - lo, scalar_t(0));
    }
  });
  return y;
}

using MapFn = std::function<at::Tensor(const at::Tensor&)>;

struct Contender {
  std::string name;
  MapFn fn;
  bool has_backward;
};

std::vector<Contender> contenders() {
  const at::Tensor alpha = at::full({}, kAlpha, at::kDouble);
  return {
      {"softmax", [](const at::Tensor& x) { return at::softmax(x, -1); }, true},
      {"sparsemax", [](const at::Tensor& x) { return mixdist::sparsemax(x); }, true},
      {"entmax15", [](const at::Tensor& x) { return mixdist::entmax15(x); }, true},
      {"entmax_a1.3", [](const at::Tensor& x) { return mixdist::entmax_bisect(x, kAlpha); }, true},
      {"sort_sparsemax", [](const at::Tensor& x) { return mixdist::generic::sparsemax(x); }, true},
      {"sort_entmax15", [](const at::Tensor& x) { return mixdist::generic::entmax15(x); }, true},
      {"bisect50_entmax_a1.3",
       [alpha](const at::Tensor& x) {
         return mixdist::generic::entmax_bisect(x, alpha.to(x.dtype()), -1, 50);
       },
       true},
      {"bisect30_sparsemax_cpp", [](const at::Tensor& x) { return bisect30_sparsemax(x); }, false},
  };
}

struct Shape {
  int64_t B, K;
};

at::Tensor make_input(const std::string& regime, Shape s, at::ScalarType dtype) {
  at::manual_seed(0);
  at::Tensor x = at::randn({s.B, s.K}, at::kDouble);
  if (regime == "dense") x = 0.01 * x;                  // every entry is a candidate: worst case for pruning
  if (regime == "support1") x = 10.0 * x;               // almost always a vertex
  if (regime == "ties") x = at::zeros_like(x);          // support K
  if (regime == "sorted") x = std::get<0>(x.sort(-1));  // adversarial order for one-pass methods
  return x.to(dtype);
}

std::string shape_name(Shape s) {
  return std::to_string(s.B) + "x" + std::to_string(s.K);
}

void register_cell(const std::string& regime, Shape shape, at::ScalarType dtype, bool with_naive) {
  const std::string dt = dtype == at::kFloat ? "f32" : "f64";
  for (const auto& c : contenders()) {
    const bool naive = c.name.rfind("sort_", 0) == 0 || c.name.rfind("bisect", 0) == 0;
    if (naive && !with_naive) continue;
    for (const bool backward : {false, true}) {
      if (backward && !c.has_backward) continue;
      const std::string name = std::string(backward ? "fwdbwd" : "fwd") + "/" + c.name + "/" + dt + "/" +
                               regime + "/" + shape_name(shape);
      benchmark::RegisterBenchmark(name.c_str(),
                                   [=](benchmark::State& state) {
                                     at::NoGradGuard no_grad;
                                     const at::Tensor x = make_input(regime, shape, dtype);
                                     const at::Tensor g = at::randn_like(x);
                                     for (auto _ : state) {
                                       if (backward) {
                                         at::AutoGradMode enable(true);
                                         at::Tensor xr = x.detach().requires_grad_();
                                         at::Tensor y = c.fn(xr);
                                         y.backward(g);
                                         benchmark::DoNotOptimize(xr.grad().data_ptr());
                                       } else {
                                         benchmark::DoNotOptimize(c.fn(x).data_ptr());
                                       }
                                     }
                                     state.SetItemsProcessed(state.iterations() * shape.B * shape.K);
                                   })
          ->MinTime(0.2)
          ->Unit(benchmark::kMicrosecond);
    }
  }
}

// Sparsemax over a non-last dim (B x K x 8, dim 1), against softmax on the same layout.
void register_layout_case() {
  for (const auto& [name, fn] : std::vector<std::pair<std::string, MapFn>>{
           {"softmax", [](const at::Tensor& x) { return at::softmax(x, 1); }},
           {"sparsemax", [](const at::Tensor& x) { return mixdist::sparsemax(x, 1); }}}) {
    benchmark::RegisterBenchmark(("fwd/" + name + "/f32/dim1/256x1000x8").c_str(),
                                 [fn = fn](benchmark::State& state) {
                                   at::manual_seed(0);
                                   const at::Tensor x = at::randn({256, 1000, 8});
                                   for (auto _ : state) benchmark::DoNotOptimize(fn(x).data_ptr());
                                 })
        ->MinTime(0.2)
        ->Unit(benchmark::kMicrosecond);
  }
}

// Collects every run's time so that the ratio tables can be printed after the normal console output.
class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      // Names carry a "/min_time:..." suffix; the tables look cells up without it.
      std::string name = r.benchmark_name();
      name = name.substr(0, name.find("/min_time:"));
      // With --benchmark_repetitions the median aggregate, reported after the repetitions, is the one kept
      // (the aggregates share the runs' name once the suffix is cut: without this the last of them, the
      // coefficient of variation, would be read as a time).
      if (r.error_occurred || (r.run_type == Run::RT_Aggregate && r.aggregate_name != "median")) continue;
      times[name] = r.GetAdjustedRealTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> times;  // microseconds per call
};

double lookup(const std::map<std::string, double>& t, const std::string& key) {
  auto it = t.find(key);
  return it == t.end() ? NAN : it->second;
}

void print_tables(const std::map<std::string, double>& t, const std::vector<std::string>& cells) {
  auto cell = [&](const std::string& mode, const std::string& who, const std::string& c) {
    return lookup(t, mode + "/" + who + "/" + c);
  };
  std::printf("\n### Ratios to torch::softmax (same run, same input; 1 thread)\n\n");
  std::printf(
      "| dtype/input/BxK | softmax fwd+bwd (us) | sparsemax fwd | sparsemax fwd+bwd | entmax15 fwd | "
      "entmax15 "
      "fwd+bwd | entmax a=1.3 fwd | entmax a=1.3 fwd+bwd |\n|---|---|---|---|---|---|---|---|\n");
  for (const auto& c : cells) {
    const double sf = cell("fwd", "softmax", c), sb = cell("fwdbwd", "softmax", c);
    if (std::isnan(sb)) continue;
    std::printf("| %s | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", c.c_str(), sb,
                cell("fwd", "sparsemax", c) / sf, cell("fwdbwd", "sparsemax", c) / sb,
                cell("fwd", "entmax15", c) / sf, cell("fwdbwd", "entmax15", c) / sb,
                cell("fwd", "entmax_a1.3", c) / sf, cell("fwdbwd", "entmax_a1.3", c) / sb);
  }
  std::printf(
      "\n### Speed-up over the sort / bisection implementations (their time / ours, fwd+bwd; bisect30 is fwd "
      "only)\n\n| dtype/input/BxK | sort sparsemax | sort entmax15 | ATen bisection(50) a=1.3 | C++ "
      "bisection(30) "
      "sparsemax |\n|---|---|---|---|---|\n");
  for (const auto& c : cells) {
    const double v = cell("fwdbwd", "sort_sparsemax", c);
    if (std::isnan(v)) continue;
    std::printf("| %s | %.1f | %.1f | %.1f | %.1f |\n", c.c_str(), v / cell("fwdbwd", "sparsemax", c),
                cell("fwdbwd", "sort_entmax15", c) / cell("fwdbwd", "entmax15", c),
                cell("fwdbwd", "bisect50_entmax_a1.3", c) / cell("fwdbwd", "entmax_a1.3", c),
                cell("fwd", "bisect30_sparsemax_cpp", c) / cell("fwd", "sparsemax", c));
  }
  const double ls = lookup(t, "fwd/softmax/f32/dim1/256x1000x8"),
               lm = lookup(t, "fwd/sparsemax/f32/dim1/256x1000x8");
  if (!std::isnan(ls))
    std::printf("\nNon-last dim (256x1000x8, dim 1), sparsemax fwd / softmax fwd: %.2f\n", lm / ls);
}

}  // namespace

int main(int argc, char** argv) {
  at::set_num_threads(1);
  const std::vector<Shape> anchors = {{1024, 10}, {1024, 100}, {256, 1000}, {64, 10000}, {8, 100000}};
  const std::vector<Shape> paper = {{10000, 10}, {8192, 2}, {1024, 16}};
  std::vector<std::string> cells;
  for (const auto dtype : {at::kFloat, at::kDouble}) {
    const std::string dt = dtype == at::kFloat ? "f32" : "f64";
    for (const auto& s : anchors) {
      register_cell("randn", s, dtype, true);
      cells.push_back(dt + "/randn/" + shape_name(s));
    }
    for (const auto& s : paper) {
      register_cell("randn", s, dtype, true);
      cells.push_back(dt + "/randn/" + shape_name(s));
    }
  }
  for (const std::string regime : {"dense", "support1", "ties", "sorted"}) {
    for (const auto& s : anchors) {
      register_cell(regime, s, at::kFloat, true);
      cells.push_back("f32/" + regime + "/" + shape_name(s));
    }
  }
  register_layout_case();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_tables(reporter.times, cells);
  benchmark::Shutdown();
  return 0;
}
