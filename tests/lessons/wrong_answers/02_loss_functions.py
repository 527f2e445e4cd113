"""Plausible wrong answers for lesson 02_loss_functions.

Each entry replaces the whole answer cell of the exercise (same function name and
signature); tests/lessons/test_grading.py grades every one with nbgrader and asserts
that it loses that exercise's points while every other exercise keeps full marks.
"""

WRONG = {
    "mse": [
        ("sum instead of mean (missing 1/N)", '''def mse(y_pred, y):
    return float(np.sum((y_pred - y) ** 2))
''', 'factor_N'),
        ("divides by the number of rows only", '''def mse(y_pred, y):
    return float(np.sum((y_pred - y) ** 2) / len(y))
''', 'factor_D'),
        ("root mean squared error", '''def mse(y_pred, y):
    return float(np.sqrt(np.mean((y_pred - y) ** 2)))
''', 'rmse'),
        ("mean over axis 0 only (returns an array)", '''def mse(y_pred, y):
    return np.mean((y_pred - y) ** 2, axis=0)
''', 'not_scalar'),
    ],
    "binary_cross_entropy": [
        ("no clipping (log(0) for p = 0 or 1)", '''def binary_cross_entropy(p, y):
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
''', 'log_zero'),
        ("missing minus sign", '''def binary_cross_entropy(p, y):
    eps = 1e-12
    p = np.clip(p, eps, 1 - eps)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
''', 'sign'),
        ("sum instead of mean", '''def binary_cross_entropy(p, y):
    eps = 1e-12
    p = np.clip(p, eps, 1 - eps)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
''', 'factor_N'),
        ("forgot the (1 - y) log(1 - p) term", '''def binary_cross_entropy(p, y):
    eps = 1e-12
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p)))
''', 'bce_one_term'),
    ],
    "cross_entropy": [
        ("integer labels only (fails on one-hot)", '''def cross_entropy(probs, y):
    eps = 1e-12
    n = probs.shape[0]
    return float(-np.mean(np.log(np.clip(probs[np.arange(n), y], eps, 1.0))))
''', 'float_index'),
        ("probs[:, y] instead of probs[np.arange(N), y]", '''def cross_entropy(probs, y):
    eps = 1e-12
    if y.ndim == 2:
        y = y.argmax(axis=1)
    return float(-np.mean(np.log(np.clip(probs[:, y], eps, 1.0))))
''', 'columns_indexed'),
        ("one-hot without clipping (0 * log 0 = nan)", '''def cross_entropy(probs, y):
    n, c = probs.shape
    if y.ndim == 1:
        y = np.eye(c)[y]
    return float(-np.sum(y * np.log(probs)) / n)
''', 'log_zero'),
        ("mean over all N*C entries", '''def cross_entropy(probs, y):
    eps = 1e-12
    n, c = probs.shape
    if y.ndim == 1:
        y = np.eye(c)[y]
    return float(-np.mean(y * np.log(np.clip(probs, eps, 1.0))))
''', 'factor_1_over_C'),
    ],
    "softmax_cross_entropy": [
        ("naive softmax, then log (overflows)", '''def softmax_cross_entropy(logits, y):
    n, c = logits.shape
    if y.ndim == 1:
        y = np.eye(c)[y]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return float(-np.sum(y * np.log(probs)) / n)
''', 'overflow'),
        ("stable softmax, then log (underflows to log 0)", '''def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    if y.ndim == 2:
        y = y.argmax(axis=1)
    return float(-np.mean(np.log(probs[np.arange(n), y])))
''', 'log_zero'),
        ("global maximum instead of each row's", '''def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - logits.max()
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    if y.ndim == 2:
        y = y.argmax(axis=1)
    return float(-np.mean(logp[np.arange(n), y]))
''', 'log_zero'),
        ("integer labels only (fails on one-hot)", '''def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(logp[np.arange(n), y]))
''', 'float_index'),
    ],
}
