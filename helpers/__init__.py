"""Reference implementations for the Backprop Workbook course.

Conventions, used by every module:

* **Batch-first data.** ``X`` has shape ``(N, D_in)``: one row per example. A dense
  layer's ``W`` has shape ``(D_out, D_in)`` and ``b`` shape ``(D_out,)``, so the
  single-example formula ``a = f(W x + b)`` becomes ``A = f(X @ W.T + b)`` for a
  batch (the convention of PyTorch's ``Linear``).
* **float64** unless the caller passes float32, which is then kept.
* **Classification targets** may be integer labels ``(N,)`` or one-hot rows
  ``(N, C)``; both are accepted wherever targets are taken.
* **Every loss is the mean over the batch**; ``mse`` is the mean over all elements.
* **Layers are forward/backward pairs**: ``*_forward(...) -> (out, cache)`` and
  ``*_backward(dout, cache) -> grads``.
* **Bad input fails loudly**: a ``ValueError``/``TypeError`` naming the function,
  the argument, what was expected and what came.

Modules: ``activations``, ``losses``, ``layers``, ``network`` (the MLP and the model interface
every trainable model implements), ``deep`` (networks of any depth, weight decay),
``initializers``, ``gradcheck``, ``optim`` (``train``), ``optimizers`` (momentum, RMSProp,
Adam, schedules), ``metrics``, ``data``, ``plotting`` and ``diagrams`` (figures),
``checks`` (student feedback), ``own_code`` (a student's earlier functions with the
references as fallback), and the interactive explorers, imported on demand: ``explore``
(the training runs), ``explore_view`` (their figures) and ``widgets`` (the sliders); for
lesson 6 ``explore_optim``, ``explore_optim_view`` and ``widgets_optim``. Argument checks
shared by all of them live in ``_validate``.
"""
from .data import load_digits, make_moons, make_regression_1d, make_spirals, one_hot, train_val_test_split
from .activations import (identity, identity_grad, log_softmax, relu, relu_grad, sigmoid,
                          sigmoid_grad, softmax, tanh, tanh_grad)
from .gradcheck import GradCheckReport, check_gradients, numerical_gradient, relative_error
from .layers import activation_backward, activation_forward, dense_backward, dense_forward
from .losses import (binary_cross_entropy, cross_entropy, mse, mse_grad,
                     sigmoid_binary_cross_entropy, softmax_cross_entropy)
from .metrics import accuracy, confusion_matrix
from .network import MLP
from .optim import History, TrainingDiverged, iterate_minibatches, sgd_update, train
from .optimizers import (SGD, Adam, Momentum, RMSProp, adam_update, cosine_decay, momentum_update,
                         rmsprop_update, step_decay)
from .initializers import init_params, init_scale
from .deep import DeepNetwork, L_layer_backward, L_layer_forward, add_weight_decay, l2_penalty

__all__ = [
    "relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "identity",
    "identity_grad", "softmax", "log_softmax",
    "mse", "mse_grad", "cross_entropy", "binary_cross_entropy", "softmax_cross_entropy",
    "sigmoid_binary_cross_entropy",
    "dense_forward", "dense_backward", "activation_forward", "activation_backward",
    "MLP",
    "numerical_gradient", "relative_error", "check_gradients", "GradCheckReport",
    "sgd_update", "iterate_minibatches", "train", "History", "TrainingDiverged",
    "momentum_update", "rmsprop_update", "adam_update", "SGD", "Momentum", "RMSProp", "Adam",
    "step_decay", "cosine_decay", "init_params", "init_scale",
    "L_layer_forward", "L_layer_backward", "DeepNetwork", "l2_penalty", "add_weight_decay",
    "accuracy", "confusion_matrix",
    "make_moons", "make_spirals", "make_regression_1d", "load_digits", "one_hot", "train_val_test_split",
]
