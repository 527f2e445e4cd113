"""Correct but unusual answers for lesson 02: each must score full marks, visibly and at grading."""

ALTERNATIVES = {
    "mse": [
        ("np.square(...).mean()", '''def mse(y_pred, y):
    return float(np.square(np.subtract(y_pred, y)).mean())
'''),
    ],
    "binary_cross_entropy": [
        ("np.where picks the active log of float64-clipped p", '''def binary_cross_entropy(p, y):
    eps = 1e-12
    q = np.clip(np.asarray(p, dtype=np.float64), eps, 1 - eps)
    return float(-np.mean(np.where(y == 1, np.log(q), np.log(1 - q))))
'''),
    ],
    "cross_entropy": [
        ("np.take_along_axis for integer labels", '''def cross_entropy(probs, y):
    eps = 1e-12
    logp = np.log(np.clip(probs, eps, 1.0))
    if y.ndim == 2:
        y = y.argmax(axis=1)
    picked = np.take_along_axis(logp, np.asarray(y)[:, None].astype(np.intp), axis=1)
    return float(-picked.mean())
'''),
    ],
    "softmax_cross_entropy": [
        ("np.logaddexp.reduce for the log-sum-exp", '''def softmax_cross_entropy(logits, y):
    logp = logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)
    n = logits.shape[0]
    if y.ndim == 1:
        return float(-np.mean(logp[np.arange(n), y]))
    return float(-np.sum(y * logp) / n)
'''),
        # source: https://torchedup.dev/problems/logsumexp (max(x) + log(sum(exp(x - max(x)))) along the last axis)
        ("scipy-free log-sum-exp: m + log(sum(exp(x - m))), one-hot targets", '''def softmax_cross_entropy(logits, y):
    m = logits.max(axis=-1, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(axis=-1, keepdims=True))
    if y.ndim == 1:
        y = np.eye(logits.shape[1])[y]
    return float(np.mean(np.sum(y * (lse - logits), axis=1)))
'''),
    ],
}
