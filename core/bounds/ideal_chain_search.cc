#include "core/bounds/ideal_chain_search.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/clock.h"
#include "core/graph/contraction.h"

namespace pipecut {
namespace {

using Key = std::pair<uint64_t, uint64_t>;
using Status = IdealChainResult::Status;

class ChainSearch {
 public:
  ChainSearch(const Graph& g, const IdealChainParams& p,
              const SolveContext* ctx)
      : g_(g),
        p_(p),
        ctx_(ctx),
        n_(g.num_nodes()),
        words_((n_ + 63) / 64),
        total_work_(g.total_work()) {
    // Reached ideals hold their membership bits: at most 128 MiB of them.
    max_ideals_ = std::min<int64_t>(
        p.max_ideals, (int64_t{1} << 27) / (8 * std::max(1, words_)));
    std::mt19937_64 rng(0x1dea1c4a1ULL);
    zobrist_.resize(n_);
    for (Key& z : zobrist_) z = {rng(), rng()};
    in_i_.assign(n_, 0);
    in_s_.assign(n_, 0);
    missing_.assign(n_, 0);
    reads_.assign(n_, 0);
    outside_.assign(n_, 0);
  }

  IdealChainResult Run() {
    AddIdeal(Key{0, 0}, std::vector<uint64_t>(words_, 0), 0, -1);
    if (n_ == 0) {  // the empty partition: no stage at all
      status_ = Status::kFound;
      found_ = 0;
    }
    for (size_t j = 0; j < steps_.size() && status_ == Status::kNone; ++j) {
      if (steps_[j] >= p_.k) break;  // breadth first: all later ones too
      if (Interrupted()) break;
      Expand(static_cast<int>(j));
    }
    IdealChainResult result;
    result.status = status_;
    result.ideals = static_cast<int64_t>(steps_.size());
    result.states = states_;
    if (status_ == Status::kFound) result.stage_of = StagesOf(found_);
    return result;
  }

 private:
  // Sets the status when the solve stops or the time is up.
  bool Interrupted() {
    if (ctx_ != nullptr && ctx_->ShouldStop()) {
      status_ = Status::kStopped;
    } else if (absl::Now() > p_.give_up_at) {
      status_ = Status::kGaveUp;
    }
    return status_ != Status::kNone;
  }

  bool InIdeal(int id, int v) const {
    return (bits_[static_cast<size_t>(id) * words_ + v / 64] >> (v % 64)) & 1;
  }

  void AddIdeal(const Key& key, std::vector<uint64_t> bits, int steps,
                int parent) {
    index_.emplace(key, static_cast<int>(steps_.size()));
    bits_.insert(bits_.end(), bits.begin(), bits.end());
    steps_.push_back(steps);
    parent_.push_back(parent);
  }

  // Enumerates the stages S = I \ J below the threshold from ideal j.
  void Expand(int j) {
    visited_.clear();
    std::vector<int> addable;
    size_j_ = 0;
    work_j_ = 0;
    for (int v = 0; v < n_; ++v) {
      in_i_[v] = InIdeal(j, v);
      size_j_ += in_i_[v];
      if (in_i_[v]) work_j_ += g_.work(v);
    }
    for (int v = 0; v < n_; ++v) {
      if (in_i_[v]) continue;
      missing_[v] = 0;
      for (int u : g_.predecessors(v)) missing_[v] += in_i_[u] ? 0 : 1;
      if (missing_[v] == 0) addable.push_back(v);
    }
    sums_ = Sums{};
    size_s_ = 0;
    j_ = j;
    Visit(KeyOf(j), addable);
  }

  Key KeyOf(int id) const {
    Key key{0, 0};
    for (int v = 0; v < n_; ++v) {
      if (InIdeal(id, v)) {
        key.first ^= zobrist_[v].first;
        key.second ^= zobrist_[v].second;
      }
    }
    return key;
  }

  void Visit(const Key& key, const std::vector<int>& addable) {
    if (status_ != Status::kNone || !visited_.insert(key).second) return;
    if (++states_ > p_.max_states ||
        static_cast<int64_t>(visited_.size()) > p_.max_states_per_ideal) {
      status_ = Status::kGaveUp;
      return;
    }
    // One expansion can take seconds.
    if ((states_ & 4095) == 0 && Interrupted()) return;
    if (size_s_ > 0 && sums_.work + sums_.in + sums_.out < p_.threshold &&
        RestFits() && !index_.contains(key)) {
      if (static_cast<int64_t>(steps_.size()) >= max_ideals_) {
        status_ = Status::kGaveUp;
        return;
      }
      std::vector<uint64_t> bits(words_, 0);
      for (int v = 0; v < n_; ++v) {
        if (in_i_[v]) bits[v / 64] |= uint64_t{1} << (v % 64);
      }
      AddIdeal(key, std::move(bits), steps_[j_] + 1, j_);
      if (size_j_ + size_s_ == n_) {
        status_ = Status::kFound;
        found_ = static_cast<int>(steps_.size()) - 1;
        return;
      }
    }
    for (size_t a = 0; a < addable.size(); ++a) {
      const int y = addable[a];
      if (!Fits(y)) continue;
      const Sums saved = sums_;
      Add(y);
      if (sums_.work + sums_.in + sums_.dead >= p_.threshold) {
        Remove(y);
        sums_ = saved;
        continue;
      }
      std::vector<int> next(addable.begin(), addable.end());
      next.erase(next.begin() + static_cast<std::ptrdiff_t>(a));
      for (int s : g_.successors(y)) {
        if (--missing_[s] == 0) next.push_back(s);
      }
      Visit({key.first ^ zobrist_[y].first, key.second ^ zobrist_[y].second},
            next);
      for (int s : g_.successors(y)) ++missing_[s];
      Remove(y);
      sums_ = saved;  // exact: no drift over millions of steps
      if (status_ != Status::kNone) return;
    }
  }

  // Whether the stages after I = J + S can still fit in k (see the header).
  bool RestFits() const {
    const double rest = total_work_ - work_j_ - sums_.work;
    if (size_j_ + size_s_ == n_ || rest <= 0) return true;
    // Shaved so that rounding never rounds a count up.
    const double needed =
        std::floor((rest + sums_.out) / p_.threshold * (1 - 1e-9)) + 1;
    return steps_[j_] + 1 + needed <= p_.k;
  }

  // w(S + y) + c(in(S + y)) counting only the predecessors of y in J: a
  // lower bound on the stage cost of every S' + y with S' >= S.
  double CostWith(int y) const {
    double in = sums_.in;
    for (int u : g_.predecessors(y)) {
      if (in_i_[u] && !in_s_[u] && reads_[u] == 0) in += g_.comm(u);
    }
    return sums_.work + g_.work(y) + in;
  }

  // Whether S + y keeps w(S) + c(in(S)) (and the memory) under the limits.
  bool Fits(int y) const {
    if (CostWith(y) >= p_.threshold) return false;
    return p_.memory_limit <= 0 || sums_.mem + g_.memory(y) <= p_.memory_limit;
  }

  void Add(int y) {
    sums_.work += g_.work(y);
    sums_.mem += g_.memory(y);
    for (int u : g_.predecessors(y)) {
      if (in_s_[u]) {
        if (--outside_[u] == 0) sums_.out -= g_.comm(u);  // last reader in
      } else if (reads_[u]++ == 0) {
        sums_.in += g_.comm(u);
      }
    }
    outside_[y] = static_cast<int>(g_.successors(y).size());
    if (outside_[y] > 0) sums_.out += g_.comm(y);
    // A successor that does not fit now never will (CostWith only grows), so
    // y's tensor leaves every stage grown from here.
    for (int s : g_.successors(y)) {
      if (CostWith(s) >= p_.threshold) {
        sums_.dead += g_.comm(y);
        break;
      }
    }
    in_i_[y] = in_s_[y] = 1;
    ++size_s_;
  }

  // The counters only; the caller restores the sums.
  void Remove(int y) {
    --size_s_;
    in_i_[y] = in_s_[y] = 0;
    for (int u : g_.predecessors(y)) {
      if (in_s_[u]) {
        ++outside_[u];
      } else {
        --reads_[u];
      }
    }
  }

  std::vector<int> StagesOf(int id) const {
    std::vector<int> chain;
    for (int t = id; t >= 0; t = parent_[t]) chain.push_back(t);
    std::reverse(chain.begin(), chain.end());  // {} first
    std::vector<int> stage_of(n_, 0);
    for (size_t b = chain.size() - 1; b >= 1; --b) {
      for (int v = 0; v < n_; ++v) {
        if (InIdeal(chain[b], v)) stage_of[v] = static_cast<int>(b) - 1;
      }
    }
    return stage_of;
  }

  const Graph& g_;
  const IdealChainParams& p_;
  const SolveContext* ctx_;
  const int n_;
  const int words_;
  const double total_work_;
  int64_t max_ideals_ = 0;
  std::vector<Key> zobrist_;
  // Reached ideals: membership bits (words_ per ideal), stages, parent.
  absl::flat_hash_map<Key, int> index_;
  std::vector<uint64_t> bits_;
  std::vector<int> steps_, parent_;
  // The expansion of ideal j_: I = J + S.
  int j_ = 0;
  int size_j_ = 0, size_s_ = 0;
  double work_j_ = 0;
  std::vector<char> in_i_, in_s_;
  std::vector<int> missing_;  // predecessors outside I (nodes outside I)
  std::vector<int> reads_;    // successors in S (nodes of J)
  std::vector<int> outside_;  // successors outside I (nodes of S)
  struct Sums {
    double work = 0, in = 0, out = 0;
    double dead = 0;  // c(nodes of S with a successor that can never join)
    int64_t mem = 0;
  };
  Sums sums_;
  absl::flat_hash_set<Key> visited_;
  int64_t states_ = 0;
  Status status_ = Status::kNone;
  int found_ = -1;
};

}  // namespace

IdealChainResult SearchIdealChain(const Graph& graph,
                                  const IdealChainParams& params,
                                  const SolveContext* ctx) {
  absl::StatusOr<Contraction> contraction =
      ContractAnchoredNodes(graph, params.memory_limit > 0);
  if (!contraction.ok()) return ChainSearch(graph, params, ctx).Run();
  IdealChainResult result = ChainSearch(contraction->graph, params, ctx).Run();
  if (result.status == Status::kFound) {
    result.stage_of = contraction->Expand(result.stage_of);
  }
  return result;
}

}  // namespace pipecut
