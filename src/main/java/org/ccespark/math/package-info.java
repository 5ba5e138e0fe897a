/**
 * Math kernels of collision cross-entropy clustering, with no Spark types: cross-entropies (eq. 8,
 * 9), the self-labeling losses (eq. 10, 11), the EM pseudo-label solver (E-step eq. 14, Newton
 * M-step of Theorem 1 / Algorithm 1 / Appendix B), projected gradient descent with an exact simplex
 * projection, the linear softmax classifier and its optimisers. Data are flat row-major
 * {@code double[]} blocks, one row per point; nothing is allocated per point.
 */
package org.ccespark.math;
