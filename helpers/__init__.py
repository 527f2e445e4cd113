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

What you build in the lessons, in the order you build it (each module's docstring gives the
formulas, the derivatives and the shapes):

==================  ===========================================================  ======
module              what it holds                                                lesson
==================  ===========================================================  ======
``activations``     relu, sigmoid, tanh, softmax and their derivatives           01, 03
``layers``          the dense layer and activation as forward/backward pairs     01, 03
``losses``          mse, binary and categorical cross-entropy (stable forms)     02, 03
``gradcheck``       numerical gradients and the relative error                   03
``network``         ``MLP``, and the model interface every trainable model has   03, 05
``optimizers``      ``sgd_update``, momentum, RMSProp, Adam, schedules           04, 06
``optim``           mini-batches and the training loop ``train``                 04, 05
``metrics``         accuracy and the confusion matrix                            05
``initializers``    Xavier / He initialisation                                   06
``deep``            networks of any depth, L2 weight decay                       06
``data``            the digits, a 1-D regression, splits, one-hot labels         all
``toysets``         2-D classification sets: moons, spirals, circles, XOR       all
``plotting``,       the figures the lessons draw                                 all
``diagrams``
==================  ===========================================================  ======

Argument checks shared by all of them live in ``_validate``. The course's machinery lives apart,
in sub-packages you never need to read: ``helpers.feedback`` (the checks under each exercise and
their messages), ``helpers.course`` (your own numbers, your earlier functions) and
``helpers.explorers`` (the interactive sliders, imported on demand).
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
from .optim import History, TrainingDiverged, iterate_minibatches, train
from .optimizers import (SGD, Adam, Momentum, RMSProp, adam_update, cosine_decay, momentum_update,
                         rmsprop_update, sgd_update, step_decay)
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
