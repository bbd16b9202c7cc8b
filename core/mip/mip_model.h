#ifndef PIPECUT_CORE_MIP_MIP_MODEL_H_
#define PIPECUT_CORE_MIP_MIP_MODEL_H_

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <utility>
#include <vector>

namespace pipecut {

// A minimisation MIP in row form, built by the bound workers and handed to
// SolveMip (core/mip/cbc_solver.h). Kept solver-neutral so that model sizes
// can be checked against the options before CBC allocates anything.
class MipModel {
 public:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  // Adds a column; returns its index.
  int AddVar(double lb, double ub, double objective, bool integer);
  int AddBinary(double objective = 0) { return AddVar(0, 1, objective, true); }
  // Adds lb <= sum coef * x <= ub; zero coefficients are dropped, repeated
  // columns are merged.
  void AddRow(double lb, double ub,
              std::initializer_list<std::pair<int, double>> terms);
  void AddRow(double lb, double ub,
              const std::vector<std::pair<int, double>>& terms);

  int num_vars() const { return static_cast<int>(obj_.size()); }
  int num_rows() const { return static_cast<int>(row_lb_.size()); }
  int64_t num_nonzeros() const { return static_cast<int64_t>(index_.size()); }

  // Raw access for the solver adapter.
  const std::vector<double>& col_lb() const { return col_lb_; }
  const std::vector<double>& col_ub() const { return col_ub_; }
  const std::vector<double>& obj() const { return obj_; }
  const std::vector<char>& is_integer() const { return integer_; }
  const std::vector<double>& row_lb() const { return row_lb_; }
  const std::vector<double>& row_ub() const { return row_ub_; }
  const std::vector<int64_t>& row_start() const { return row_start_; }
  const std::vector<int>& index() const { return index_; }
  const std::vector<double>& value() const { return value_; }

  // Tightens a column's bounds (intersection with the current ones).
  void Restrict(int var, double lb, double ub);

  // Largest violation of a row or bound by `x` (for tests and MIP starts).
  double MaxViolation(const std::vector<double>& x) const;

 private:
  std::vector<double> col_lb_, col_ub_, obj_;
  std::vector<char> integer_;
  std::vector<double> row_lb_, row_ub_;
  std::vector<int64_t> row_start_{0};
  std::vector<int> index_;
  std::vector<double> value_;
  std::vector<std::pair<int, double>> scratch_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_MIP_MIP_MODEL_H_
