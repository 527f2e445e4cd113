"""Diagnoses: from what a student's function did to a stable code and a kind, specific message.

Every diagnosis has a stable code (a short str, e.g. ``"factor_N"``) that the instructor's report
groups by, and a message written for the student. The functions here only look at plain data: the
exception or warning the student's code raised, the arguments it was given, the numbers it returned
-- never at the function object itself (on the grader's side it is a proxy in another process).

* :func:`explain_exception` -- an exception raised inside the student's function;
* :func:`explain_warning` -- a warning (overflow, log(0), ...), naming the input that triggered it;
* :func:`explain_factor` -- a result that is a constant multiple of the right one;
* :data:`MESSAGES` -- the messages of the diagnoses test cells name explicitly (``mistakes=``).
"""
from __future__ import annotations

import math
import re

import numpy as np

__all__ = ["MESSAGES", "describe_inputs", "explain_exception", "explain_factor", "explain_warning"]

#: code -> message of the mistakes a test cell recognises by value (``mistakes={code: wrong_value}``)
MESSAGES = {
    "var_not_mse": "this is np.var(y_pred - y), the spread of the errors around their mean, not the mean "
                   "squared error: np.var subtracts the mean error first. Use np.mean((y_pred - y) ** 2).",
    "rmse": "this is the ROOT mean squared error (np.sqrt of the MSE); return the mean squared error itself.",
    "half_mse": "this is half the mean squared error: the 1/2 in front of a square (used in some books to "
                "simplify the derivative) is not part of mse here -- return np.mean((y_pred - y) ** 2).",
    "h_vs_2h": "your values are twice the derivative: the centred difference (f(x + h) - f(x - h)) spans "
               "2h, so divide by 2 * h, not by h.",
    "one_sided": "your values match the one-sided difference (f(x + h) - f(x)) / h, whose error is of "
                 "order h. Use the centred difference (f(x + h) - f(x - h)) / (2h).",
    "fixed_h": "your values ignore the h you are given: with h=1e-2 the centred difference differs from "
               "the one with h=1e-5. Nudge x by the argument h.",
    "integer_labels_only": "this works for integer labels but not for one-hot targets y of shape (N, C): "
                           "check y.ndim and handle both (e.g. y.argmax(axis=1), or sum y * log p).",
    "columns_indexed": "probs[:, y] picks whole columns (an (N, N) array), not one entry per row: use "
                       "probs[np.arange(N), y].",
    "clip_capped": "the loss is smaller than it should be for a confident mistake (p = 0 where y = 1): "
                   "a larger eps, or clipping the log or the loss, caps it. Clip p into [eps, 1 - eps] "
                   "with the eps given.",
    "sigmoid_not_grad": "you returned the sigmoid itself; its derivative is sigma(z) * (1 - sigma(z)).",
    "grad_of_input": "you applied s * (1 - s) to z itself; s must be sigmoid(z).",
    "relu_derivative": "you returned the derivative of ReLU (1 where z > 0); relu itself is max(z, 0).",
    "abs_not_relu": "you returned |z|; ReLU keeps positive values and sets negative ones to 0: np.maximum(z, 0).",
    "probs_not_logits": "your outputs are probabilities (rows sum to 1): mlp_forward returns the logits, "
                        "without a softmax at the end.",
    "relu_on_output": "the output layer has a ReLU too (no negative logits): apply ReLU only to the hidden layer.",
    "no_hidden_relu": "the hidden layer has no ReLU: the network is then one linear map.",
    "percent": "this looks like a percentage; return a fraction between 0 and 1.",
    "tanh_derivative": "this is 1 - s**2, the derivative of tanh; the sigmoid's derivative is s * (1 - s) "
                       "with s = sigmoid(z).",
    "argmax_no_axis": "np.argmax without axis= gives ONE index into the flattened array; the prediction of each "
                      "example is logits.argmax(axis=1).",
    "softmax_global_sum": "your softmax divides by the sum over the whole batch: each ROW must sum to 1 -- "
                          "e.sum(axis=1, keepdims=True).",
    "no_bias": "these are the values without the bias: add b (it broadcasts over the rows).",
    "sigmoid_of_minus_z": "you computed sigmoid(-z) = 1 - sigmoid(z): the two branches of the stable form are "
                          "swapped (for z >= 0 the numerator is 1, for z < 0 it is exp(z)).",
    "bce_one_term": "only the y * log(p) term is there: add (1 - y) * log(1 - p), which charges the examples "
                    "whose label is 0.",
    "labels_not_onehot": "you subtracted the integer labels themselves (p - y[:, None]); subtract their one-hot "
                         "rows: 1 in column y[i] of row i, 0 elsewhere.",
    "wrong_axis": "your softmax normalises over the batch (axis 0): each ROW must sum to 1 -- use axis=1 "
                  "with keepdims=True.",
    "rows_not_entries": "your loop nudges a whole row x[i] at once (range(len(x)) on a 2-D x): nudge one entry "
                        "at a time, e.g. for idx in np.ndindex(x.shape).",
    "clip_eps": "the loss of a probability of exactly 0 for the true class is -log(eps), so the eps you clip "
                "with decides it: clip with the eps = 1e-12 given in the cell.",
    "relu_kink": "the gradient passes where Z is exactly 0. ReLU has a kink at 0; this course (like numpy "
                 "references and most frameworks) takes its derivative there as 0: mask with (Z > 0), not (Z >= 0).",
    "no_relu_mask": "the gradient reaches the hidden layers without ReLU's derivative: multiply dA_prev by the "
                    "mask (Z > 0) of the layer below before passing it on.",
    "path_without_start": "your path has `steps` rows: it should start with theta0 itself, then one row per "
                          "update (steps + 1 rows).",
}


def describe_inputs(args) -> str:
    """A short description of the array arguments: dtype and largest magnitude (which visible input)."""
    parts = []
    for a in _arrays(args):
        if a.size and np.issubdtype(a.dtype, np.number):
            big = float(np.max(np.abs(a)))
            parts.append(f"{a.dtype} {'value' if a.size == 1 else 'values'} up to {_magnitude(big)}")
    return "the " + " and ".join(parts) if parts else "these inputs"


def _magnitude(x: float) -> str:
    if x >= 1000:
        return f"+-1e{int(math.floor(math.log10(x)))}"
    return f"{x:.3g}"


def _arrays(args):
    for a in args:
        if isinstance(a, np.ndarray):
            yield a
        elif isinstance(a, (tuple, list)):
            yield from (x for x in a if isinstance(x, np.ndarray))
        elif isinstance(a, dict):
            yield from (x for x in a.values() if isinstance(x, np.ndarray))


def explain_warning(category: str, message: str, args) -> tuple[str, str]:
    """-> (code, message) for a warning the student's code emitted on ``args``."""
    where = f" It came with {describe_inputs(args)}."
    text = f"your code emitted a {category}: {message}.{where}"
    if "divide by zero encountered in log" in message:
        return "log_zero", (text + " np.log got a 0: clip the probabilities into [eps, 1 - eps] first (in "
                            "float64 -- in float32, 1 - 1e-12 rounds to 1), or compute the log from the logits "
                            "(log-softmax: shifted - log(sum(exp(shifted)))).")
    if "overflow" in message:
        return "overflow", (text + " np.exp overflows for large inputs (in float32 already above 88): use the "
                            "numerically stable form -- subtract the row maximum, or use exp(-|z|).")
    if "invalid value" in message:
        return "invalid_value", (text + " A NaN appeared (inf - inf, 0 * inf or inf / inf): usually after an "
                                 "overflow in np.exp; use the numerically stable form.")
    if "divide by zero" in message:
        return "divide_by_zero", text + " Something was divided by 0 -- check denominators such as a sum of exps."
    return "warning", text + " A warning on the output scores the test 0 under the autograder: remove its cause."


_MATMUL = re.compile(r"core dimension 0.*\(size (\d+) is different from (\d+)\)")
_DOT = re.compile(r"shapes \(([\d, ]*)\) and \(([\d, ]*)\) not aligned")


def explain_exception(exc: BaseException, args) -> tuple[str, str]:
    """-> (code, message) for an exception raised inside the student's function called with ``args``."""
    text = f"{type(exc).__name__}: {exc}"
    msg = str(exc)
    if isinstance(exc, ValueError) and "truth value of an array" in msg:
        return "if_on_array", (f"raised {text}. A Python `if` (or `and`/`or`, max, min) on an array asks one "
                               "question about many numbers: use np.maximum / np.where (elementwise), not `if`, "
                               "on arrays.")
    m, d = _MATMUL.search(msg), _DOT.search(msg)
    if m or d:
        return "matmul_shapes", "raised " + text + ". " + _matmul_hint(m, d, args)
    if isinstance(exc, IndexError) and ("only integers" in msg or "integer (or boolean) type" in msg):
        return "float_index", (f"raised {text}. Labels used as indices must be integers: e.g. "
                               "y.argmax(axis=1) for one-hot targets, or y.astype(int).")
    if ("too many indices" in msg or "has no len()" in msg or "invalid index to scalar" in msg
            or "iteration over a 0-d array" in msg):
        return "index_dims", (f"raised {text}. An array has fewer axes than your indexing or loops assume (a bias "
                              "b is 1-D, a single number has none): check its shape, or use whole-array "
                              "operations instead of index loops.")
    if isinstance(exc, ValueError) and "cannot reshape array" in msg:
        return "reshape", (f"raised {text}. The number of entries does not match the new shape -- e.g. "
                           "np.bincount only counts up to the largest value present: pass minlength=.")
    if isinstance(exc, ValueError) and "broadcast" in msg:
        return "broadcast", (f"raised {text}. Two arrays' shapes do not fit together elementwise: print the "
                             "shapes, and keep axes with keepdims=True when you reduce. If you meant a matrix "
                             "product, use @ (the * operator multiplies entry by entry).")
    if isinstance(exc, (NameError, UnboundLocalError)):
        return "name_error", f"raised {text}. A name is used before it is defined -- check its spelling and the cell order."
    return "exception", f"raised {text}"


def _matmul_hint(m, d, args) -> str:
    if d:
        left, right = (tuple(int(v) for v in g.split(",") if v.strip()) for g in d.groups())
        return _transpose_advice(left, right)
    inner_right, inner_left = int(m.group(1)), int(m.group(2))
    shapes = [a.shape for a in _arrays(args) if a.ndim == 2]
    lefts = [s for s in shapes if s[1] == inner_left]
    rights = [s for s in shapes if s[0] == inner_right]
    for left in lefts:
        for right in rights:
            if left is not right or lefts.count(left) > 1:
                return _transpose_advice(left, right)
    return (f"In a matrix product A @ B the columns of A must match the rows of B, but here A has {inner_left} "
            f"columns and B has {inner_right} rows. Write each shape next to the product, e.g. "
            "(N, D_in) @ (D_in, D_out), and transpose the operand that does not fit (.T).")


def _transpose_advice(left, right) -> str:
    head = (f"The matrix product of shapes {left} @ {right} does not line up: the columns of the left operand "
            f"({left[-1]}) must equal the rows of the right one ({right[0]}). ")
    if left == right:
        return head + ("Both operands have the same shape: if you meant the elementwise product (e.g. a ReLU mask "
                       "dA * (Z > 0)), use *, not np.dot or @; otherwise transpose one of them.")
    if len(right) == 2 and right[1] == left[-1]:
        return head + f"Transpose the RIGHT operand: {left} @ {right[::-1]} (e.g. X @ W.T)."
    if len(left) == 2 and left[0] == right[0]:
        return head + f"Transpose the LEFT operand: {left[::-1]} @ {right} (e.g. dZ.T @ X)."
    return head + "Write the shapes next to the product and transpose the operand that does not fit."


def explain_factor(c: float, batch_size=None, sizes=None) -> tuple[str, str] | None:
    """-> (code, message) when every value is ``c`` times the right one, else None.

    ``batch_size``: N; ``sizes``: other named sizes, e.g. {"D": 3, "C": 4} (columns, classes).
    """
    named = {"N": batch_size} if batch_size else {}
    named.update(sizes or {})
    if np.isclose(c, -1):
        return "sign", "every value has the wrong sign -- check the direction of a subtraction (or a missing minus)."
    for key, n in named.items():
        if not n or n <= 1:
            continue
        what = {"N": "the batch size", "D": "the number of columns", "C": "the number of classes"}.get(key, key)
        if np.isclose(c, n, rtol=1e-3):
            fix = ("did you forget to divide by N, i.e. take the sum instead of the mean?" if key == "N" else
                   f"you divided by fewer entries than there are: the mean runs over all N * {key} entries.")
            return f"factor_{key}", f"your values are {n:g} times (= {key}, {what}) too large: {fix}"
        if np.isclose(c, 1 / n, rtol=1e-3):
            return f"factor_1_over_{key}", (f"your values are {key} = {n:g} times ({what}) too small: you divided "
                                            f"by {key} once too often (e.g. np.mean over all entries where the "
                                            "sum over the classes is needed, then the mean over the batch).")
    if np.isclose(c, 1 / math.log(2), rtol=1e-4):
        return "log2", "your values are 1/ln 2 = 1.443 times too large: you used np.log2; use the natural log np.log."
    if np.isclose(c, 1 / math.log(10), rtol=1e-4):
        return "log10", "your values are 1/ln 10 = 0.434 times the right ones: you used np.log10; use np.log."
    if np.isclose(c, 100):
        return "percent", MESSAGES["percent"]
    if np.isclose(c, 2) or np.isclose(c, 0.5):
        return "factor_2", (f"your values are off by a factor of {c:.3g}: look for a 2 or a 1/2 -- the 2 that "
                            "comes from differentiating a square, a 1/2 in front of a square, or h vs 2h.")
    return "factor", f"your values are all off by the same factor {c:.4g}: look for a missing or extra constant."
