#include "core/bounds/pattern_lp.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "coin/ClpSimplex.hpp"
#include "coin/CoinFinite.hpp"

namespace pipecut {
namespace {

// Duals are scaled by this and rounded down to integers.
constexpr double kDualScale = 1 << 20;

struct SizeClass {
  int64_t size;
  int64_t count;  // items of this size (d_i)
};

// Bounded knapsack over the classes (at most min(d_i, C / s_i) copies of
// class i) by binary splitting into 0/1 chunks, exact in integers.
class PatternPricer {
 public:
  PatternPricer(const std::vector<SizeClass>& classes, int64_t capacity)
      : capacity_(capacity) {
    for (size_t i = 0; i < classes.size(); ++i) {
      int64_t left = std::min(classes[i].count, capacity / classes[i].size);
      for (int64_t chunk = 1; left > 0; chunk *= 2) {
        const int64_t take = std::min(chunk, left);
        chunks_.push_back({static_cast<int>(i), take, take * classes[i].size});
        left -= take;
      }
    }
  }
  int64_t cells() const {
    return static_cast<int64_t>(chunks_.size()) * (capacity_ + 1);
  }

  // The largest sum_i a_i y_i over patterns; *pattern gets the a_i.
  int64_t Best(const std::vector<int64_t>& y, std::vector<int64_t>* pattern) {
    const auto width = static_cast<size_t>(capacity_ + 1);
    std::vector<int64_t> best(width, 0);  // over loads <= c
    taken_.assign(chunks_.size() * width, 0);
    for (size_t j = 0; j < chunks_.size(); ++j) {
      const Chunk& chunk = chunks_[j];
      const int64_t value = chunk.copies * y[chunk.size_class];
      if (value == 0) continue;
      for (int64_t c = capacity_; c >= chunk.work; --c) {
        if (const int64_t with = best[c - chunk.work] + value; with > best[c]) {
          best[c] = with;
          taken_[j * width + c] = 1;
        }
      }
    }
    pattern->assign(y.size(), 0);
    int64_t c = capacity_;
    for (size_t j = chunks_.size(); j-- > 0;) {
      if (taken_[j * width + c]) {
        (*pattern)[chunks_[j].size_class] += chunks_[j].copies;
        c -= chunks_[j].work;
      }
    }
    return best[capacity_];
  }

 private:
  struct Chunk {
    int size_class;
    int64_t copies;
    int64_t work;
  };
  const int64_t capacity_;
  std::vector<Chunk> chunks_;
  std::vector<char> taken_;
};

// True when best-fit decreasing packs the items into `bins` bins. Then the
// integer optimum, and with it the LP value, is at most `bins`, so no dual
// certificate can exist and column generation would only spend time (it
// priced knapsacks of millions of cells for 200 rounds on ARC111 at m = 3).
bool BestFitPacks(std::vector<int64_t> items, int64_t capacity, int64_t bins) {
  std::sort(items.begin(), items.end(), std::greater<>());
  std::vector<int64_t> room;
  for (const int64_t x : items) {
    auto best = room.end();
    for (auto it = room.begin(); it != room.end(); ++it) {
      if (*it >= x && (best == room.end() || *it < *best)) best = it;
    }
    if (best != room.end()) {
      *best -= x;
    } else if (static_cast<int64_t>(room.size()) < bins) {
      room.push_back(capacity - x);
    } else {
      return false;
    }
  }
  return true;
}

void AddPattern(const std::vector<int64_t>& pattern, ClpSimplex& lp) {
  std::vector<int> rows;
  std::vector<double> copies;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == 0) continue;
    rows.push_back(static_cast<int>(i));
    copies.push_back(static_cast<double>(pattern[i]));
  }
  lp.addColumn(static_cast<int>(rows.size()), rows.data(), copies.data(), 0.0,
               COIN_DBL_MAX, 1.0);
}

}  // namespace

bool PatternLpNeedsMoreBins(absl::Span<const int64_t> items, int64_t capacity,
                            int64_t bins, int max_rounds) {
  if (capacity <= 0 || capacity > kMaxPatternCapacity) return false;
  std::map<int64_t, int64_t, std::greater<>> counts;
  for (const int64_t x : items) {
    if (x > capacity) return true;  // fits no bin at all
    if (x > 0) ++counts[x];
  }
  if (counts.empty()) return false;
  if (BestFitPacks({items.begin(), items.end()}, capacity, bins)) return false;
  std::vector<SizeClass> classes;
  for (const auto& [size, count] : counts) classes.push_back({size, count});
  PatternPricer pricer(classes, capacity);
  if (pricer.cells() > kMaxPatternCells) return false;
  max_rounds = static_cast<int>(
      std::min<int64_t>(max_rounds, kMaxPatternWork / pricer.cells()));

  const int m = static_cast<int>(classes.size());
  ClpSimplex lp;
  lp.setLogLevel(0);
  lp.resize(m, 0);
  for (int i = 0; i < m; ++i) {
    lp.setRowLower(i, static_cast<double>(classes[i].count));
    lp.setRowUpper(i, COIN_DBL_MAX);
  }
  for (int i = 0; i < m; ++i) {
    std::vector<int64_t> single(m, 0);
    single[i] = std::min(classes[i].count, capacity / classes[i].size);
    AddPattern(single, lp);
  }
  std::vector<int64_t> y(m), pattern;
  for (int round = 0; round < max_rounds; ++round) {
    lp.primal();
    if (lp.status() != 0) return false;  // not solved: claim nothing
    const double* dual = lp.dualRowSolution();
    __int128 demand = 0;
    for (int i = 0; i < m; ++i) {
      y[i] =
          static_cast<int64_t>(std::floor(std::max(0.0, dual[i]) * kDualScale));
      demand += static_cast<__int128>(classes[i].count) * y[i];
    }
    const int64_t most = pricer.Best(y, &pattern);
    if (most > 0 && demand > static_cast<__int128>(bins) * most) return true;
    // Converged (up to the scaling): no pattern prices above one bin.
    double priced = 0;
    for (int i = 0; i < m; ++i) priced += pattern[i] * dual[i];
    if (priced <= 1 + 1e-9) return false;
    AddPattern(pattern, lp);
  }
  return false;
}

}  // namespace pipecut
