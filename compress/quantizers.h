//===- quantizers.h - scalar quantizers of trained weights --------*- C++ -*-===//
//
// This file declares the quantizers of "Towards the Limit of Network
// Quantization" (cpq-method.md section 6) over a set of trained weights
// (one codebook for the whole network, or one per layer): each weight w_i
// has an importance h_i (the loss Hessian's diagonal, Adam's second moment,
// or 1), and every quantizer minimises the Hessian-weighted distortion
//   D = (1/N) sum_i h_i (w_i - c_{j(i)})^2,
// whose optimal centre for a fixed assignment is the Hessian-weighted mean
// of the centre's weights.
//   - kmeans: k-means++ seeding (weighted by h, from the project's seeded
//     generator: the same seed gives the same codebook), then Lloyd steps;
//     with h = 1 it is plain k-means.
//   - uniform: cells of one width `step` centred on multiples of the step
//     (zero is a cell's centre), each cell's centre its weighted mean.
//   - ecsq: entropy-constrained scalar quantization, Lloyd-like steps that
//     lower J = D + lambda H (H: the entropy of the indices in bits):
//     assign w_i to argmin_j h_i (w_i - c_j)^2 - lambda log2 p_j, move the
//     centres to the weighted means, p_j to the new frequencies, drop empty
//     cells; `ecsq_for_rate` searches lambda for a target entropy.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace cpq::compress {

/// Each value's centre: centres ascending, every centre used.
struct Quantized {
  std::vector<float> centres;
  std::vector<std::uint32_t> index; ///< per value
};

/// D = (1/N) sum h_i (w_i - c_{index_i})^2 (h empty: all 1).
double distortion(const std::vector<float> &w, const std::vector<float> &h, const Quantized &q);

/// The entropy of the indices, bits per value.
double index_entropy(const Quantized &q);

/// Per centre, how many values it holds.
std::vector<std::uint64_t> index_counts(const Quantized &q);

/// The Hessian-weighted mean of each centre's values (the plain mean where
/// its weights sum to 0); the index keeps its order.
void weighted_means(const std::vector<float> &w, const std::vector<float> &h, Quantized &q);

/// Removes unused centres and re-sorts, remapping the indices.
void compact(Quantized &q);

struct KMeansOptions {
  int clusters = 16;
  std::uint64_t seed = 1;
  int max_iterations = 1000;
  /// Stop when no weight changes its centre, or (when > 0) D improves by
  /// less than this fraction.
  double tolerance = 0;
};

/// (Hessian-weighted) k-means; h empty: plain k-means. Throws
/// std::invalid_argument for no values, clusters < 1 or a negative h.
Quantized kmeans(const std::vector<float> &w, const std::vector<float> &h, const KMeansOptions &options);

/// Uniform cells of width `step` (> 0) centred on multiples of it, centres
/// the weighted means of their values.
Quantized uniform(const std::vector<float> &w, const std::vector<float> &h, double step);

/// The uniform quantizer whose index entropy is closest below `bits`
/// (bisection on the step).
Quantized uniform_for_rate(const std::vector<float> &w, const std::vector<float> &h, double bits);

struct EcsqResult {
  Quantized q;
  double lambda = 0, entropy = 0, distortion = 0;
  std::vector<double> objective; ///< J = D + lambda H after each iteration
};

/// ECSQ from `start` (e.g. a fine uniform quantizer) with multiplier
/// `lambda` (>= 0), until J improves by less than `tolerance` of itself.
EcsqResult ecsq(const std::vector<float> &w, const std::vector<float> &h, double lambda, const Quantized &start,
                int max_iterations = 60, double tolerance = 1e-6);

/// ECSQ whose index entropy is at most `bits` and as close to it as a
/// bisection on lambda gets; `progress`, when set, hears each try.
EcsqResult ecsq_for_rate(const std::vector<float> &w, const std::vector<float> &h, double bits,
                         const std::function<void(double lambda, double entropy)> &progress = {});

} // namespace cpq::compress
