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
        ("clips with eps = 1e-7 instead of the cell's 1e-12", '''def cross_entropy(probs, y):
    eps = 1e-7
    logp = np.log(np.clip(probs, eps, 1.0))
    n = probs.shape[0]
    if y.ndim == 1:
        return float(-np.mean(logp[np.arange(n), y]))
    return float(-np.sum(y * logp) / n)
''', 'clip_eps'),
        ("clips with eps = 1e-15 instead of the cell's 1e-12", '''def cross_entropy(probs, y):
    n = probs.shape[0]
    if y.ndim == 2:
        y = y.argmax(axis=1)
    return float(-np.mean(np.log(np.clip(probs[np.arange(n), y], 1e-15, 1.0))))
''', 'clip_eps'),
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

# Mistakes real students made, found in public Q&A threads and course forums (source in the comment above each),
# adapted to this lesson's signatures without fixing the bug; each names the diagnosis it must receive.
WRONG_PUBLIC = {
    "mse": [
        # source: https://daily-blog.netlify.app/questions/2169519/index.html (np.var subtracts the mean first)
        ("np.var of the errors", '''def mse(y_pred, y):
    return float(np.var(y_pred - y))
''', "var_not_mse"),
        # source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 ("Numerical Check of Gradient in Neural
        # Network": the squared loss 1/2 (y - output)^2)
        ("1/2 of the mean squared error (the textbook 1/(2m))", '''def mse(y_pred, y):
    m = y.size
    return float(np.sum((y_pred - y) ** 2) / (2 * m))
''', "half_mse"),
    ],
    "binary_cross_entropy": [
        # source: https://forums.fast.ai/t/cross-entropy-error-log-1-1-inf/1441
        ("loop with if target == 1 / elif target == 0, no clipping", '''def binary_cross_entropy(p, y):
    losses = []
    for output, target in zip(np.ravel(p), np.ravel(y)):
        if target == 1:
            losses.append(-np.log(output))
        elif target == 0:
            losses.append(-np.log(1 - output))
    return float(np.mean(losses))
''', "log_zero"),
        # source: https://ai.stackexchange.com/questions/6622/how-is-division-by-zero-avoided-when-implementing-back-propagation-for-a-neural
        ("np.where picks the active term (both logs still evaluated)", '''def binary_cross_entropy(p, y):
    return float(np.mean(np.where(y == 1, -np.log(p), -np.log(1 - p))))
''', "log_zero"),
        # source: https://python-pypi.developreference.com/article/14757913/Train+a+logistic+regression+with+regularization+model+from+scratch
        ("-(1/m) (y . log p + (1 - y) . log(1 - p)) with np.dot, no clipping", '''def binary_cross_entropy(p, y):
    p, y = np.ravel(p), np.ravel(y)
    m = y.shape[0]
    return float(-(1 / m) * (np.dot(y, np.log(p)) + np.dot(1 - y, np.log(1 - p))))
''', "log_zero"),
        # source: https://errorhandle.ai/how-can-i-avoid-log-0-in-the-implementation-of-the-categorical-cross-entropy-loss-function
        ("clips in the input's dtype (float32: 1 - eps rounds to 1)", '''def binary_cross_entropy(p, y):
    eps = 1e-12
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
''', "log_zero"),
    ],
    "cross_entropy": [
        # source: https://errorhandle.ai/how-can-i-avoid-log-0-in-the-implementation-of-the-categorical-cross-entropy-loss-function
        ("-np.sum(y_true * np.log(y_pred)): one-hot only, and a sum", '''def cross_entropy(probs, y):
    epsilon = 1e-15
    probs = np.clip(probs, epsilon, 1 - epsilon)
    return float(-np.sum(y * np.log(probs)))
''', "broadcast"),
        # source: https://forums.fast.ai/t/cross-entropy-error-log-1-1-inf/1441 (mean over the classes)
        ("np.mean over every entry of the one-hot product", '''def cross_entropy(probs, y):
    eps = 1e-12
    if y.ndim == 1:
        y = np.eye(probs.shape[1])[y]
    return float(np.mean(-y * np.log(np.clip(probs, eps, 1.0))))
''', "factor_1_over_C"),
    ],
    "softmax_cross_entropy": [
        # source: https://calmops.com/programming/python/logsumexp (logsumexp_manual: c = np.max(x) over everything)
        ("log-sum-exp shifted by the global max", '''def softmax_cross_entropy(logits, y):
    c = np.max(logits)
    lse = c + np.log(np.sum(np.exp(logits - c), axis=1, keepdims=True))
    logp = logits - lse
    n = logits.shape[0]
    if y.ndim == 2:
        y = y.argmax(axis=1)
    return float(-np.mean(logp[np.arange(n), y]))
''', "log_zero"),
        # source: https://errorhandle.ai/how-can-i-avoid-log-0-in-the-implementation-of-the-categorical-cross-entropy-loss-function
        ("stable softmax, then clip the probabilities, then log", '''def softmax_cross_entropy(logits, y):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = np.clip(e / e.sum(axis=1, keepdims=True), 1e-12, 1 - 1e-12)
    n = logits.shape[0]
    if y.ndim == 2:
        y = y.argmax(axis=1)
    return float(-np.mean(np.log(probs[np.arange(n), y])))
''', "clip_capped"),
        # source: https://forums.fast.ai/t/cross-entropy-error-log-1-1-inf/1441
        ("softmax from sum([np.exp(val) ...]), then log", '''def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    if y.ndim == 2:
        y = y.argmax(axis=1)
    total = 0.0
    for row, label in zip(logits, y):
        denom = sum([np.exp(val) for val in row])
        total += -np.log(np.exp(row[label]) / denom)
    return float(total / n)
''', "overflow"),
    ],
}
