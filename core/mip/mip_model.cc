#include "core/mip/mip_model.h"

#include <algorithm>
#include <cmath>

namespace pipecut {

int MipModel::AddVar(double lb, double ub, double objective, bool integer) {
  col_lb_.push_back(lb);
  col_ub_.push_back(ub);
  obj_.push_back(objective);
  integer_.push_back(integer ? 1 : 0);
  return num_vars() - 1;
}

void MipModel::AddRow(double lb, double ub,
                      std::initializer_list<std::pair<int, double>> terms) {
  AddRow(lb, ub, std::vector<std::pair<int, double>>(terms));
}

void MipModel::AddRow(double lb, double ub,
                      const std::vector<std::pair<int, double>>& terms) {
  scratch_.assign(terms.begin(), terms.end());
  std::sort(scratch_.begin(), scratch_.end());
  row_lb_.push_back(lb);
  row_ub_.push_back(ub);
  for (size_t i = 0; i < scratch_.size();) {
    const int col = scratch_[i].first;
    double coef = 0;
    for (; i < scratch_.size() && scratch_[i].first == col; ++i) {
      coef += scratch_[i].second;
    }
    if (coef == 0) continue;
    index_.push_back(col);
    value_.push_back(coef);
  }
  row_start_.push_back(static_cast<int64_t>(index_.size()));
}

void MipModel::Restrict(int var, double lb, double ub) {
  col_lb_[var] = std::max(col_lb_[var], lb);
  col_ub_[var] = std::min(col_ub_[var], ub);
}

double MipModel::MaxViolation(const std::vector<double>& x) const {
  double worst = 0;
  for (int j = 0; j < num_vars(); ++j) {
    worst = std::max({worst, col_lb_[j] - x[j], x[j] - col_ub_[j]});
  }
  for (int r = 0; r < num_rows(); ++r) {
    double activity = 0;
    for (int64_t p = row_start_[r]; p < row_start_[r + 1]; ++p) {
      activity += value_[p] * x[index_[p]];
    }
    worst = std::max({worst, row_lb_[r] - activity, activity - row_ub_[r]});
  }
  return worst;
}

}  // namespace pipecut
