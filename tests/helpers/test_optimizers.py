"""Tests for helpers.optimizers: each step against its closed form and hand-computed sequences."""
import math

import numpy as np
import pytest

from helpers.optimizers import (SGD, Adam, Momentum, RMSProp, adam_update, constant, cosine_decay,
                                make_optimizer, momentum_update, rmsprop_update, step_decay)


def _p(x):
    return {"w": np.array([float(x)])}


def test_momentum_matches_a_hand_computed_sequence_on_a_parabola():
    # L = p^2 / 2, g = p; lr 0.1, beta 0.9: v1 = 1, p1 = 0.9; v2 = 0.9 + 0.9 = 1.8, p2 = 0.72;
    # v3 = 1.62 + 0.72 = 2.34, p3 = 0.486
    params, vel = _p(1.0), {"w": np.zeros(1)}
    w = params["w"]
    got = []
    for _ in range(3):
        momentum_update(params, {"w": params["w"].copy()}, vel, 0.1, 0.9)
        got.append(float(w[0]))
    assert params["w"] is w, "momentum_update must change params in place"
    np.testing.assert_allclose(got, [0.9, 0.72, 0.486], rtol=1e-12)
    np.testing.assert_allclose(vel["w"], [2.34], rtol=1e-12)


def test_rmsprop_matches_hand_computed_steps_for_a_constant_gradient():
    # g = 2, beta 0.9, eps 0: s1 = 0.4, step1 = 0.1 * 2 / sqrt(0.4); s2 = 0.36 + 0.4 = 0.76
    params, sq = _p(0.0), {"w": np.zeros(1)}
    rmsprop_update(params, {"w": np.array([2.0])}, sq, 0.1, 0.9, 0.0)
    np.testing.assert_allclose(params["w"], [-0.2 / math.sqrt(0.4)], rtol=1e-12)
    rmsprop_update(params, {"w": np.array([2.0])}, sq, 0.1, 0.9, 0.0)
    np.testing.assert_allclose(params["w"], [-0.2 / math.sqrt(0.4) - 0.2 / math.sqrt(0.76)], rtol=1e-12)
    np.testing.assert_allclose(sq["w"], [0.76], rtol=1e-12)


def test_adam_with_bias_correction_steps_exactly_lr_for_a_constant_gradient():
    # with a constant g, m_hat = g and v_hat = g^2 at every t: each step is exactly lr * sign(g);
    # without the correction the first step would be 0.1 * 0.2 / sqrt(0.004) = 0.316
    params, m, v = _p(1.0), {"w": np.zeros(1)}, {"w": np.zeros(1)}
    for t in range(1, 6):
        adam_update(params, {"w": np.array([2.0])}, m, v, t, 0.1, 0.9, 0.999, 0.0)
        np.testing.assert_allclose(params["w"], [1.0 - 0.1 * t], rtol=1e-12, err_msg=f"step {t}")


def test_adam_matches_its_closed_form_for_a_varying_gradient():
    gs, b1, b2, eps, lr = [1.0, -2.0, 3.0, 0.5], 0.8, 0.99, 1e-8, 0.05
    params, m, v = _p(0.3), {"w": np.zeros(1)}, {"w": np.zeros(1)}
    p, mm, vv = 0.3, 0.0, 0.0
    for t, g in enumerate(gs, start=1):
        adam_update(params, {"w": np.array([g])}, m, v, t, lr, b1, b2, eps)
        mm, vv = b1 * mm + (1 - b1) * g, b2 * vv + (1 - b2) * g * g
        p -= lr * (mm / (1 - b1 ** t)) / (math.sqrt(vv / (1 - b2 ** t)) + eps)
        assert params["w"][0] == pytest.approx(p, rel=1e-12), f"step {t}: {params['w'][0]} vs {p}"


@pytest.mark.parametrize("cls,fn,kw", [
    (Momentum, lambda p, g, s, lr: momentum_update(p, g, s["velocity"], lr, 0.5), dict(beta=0.5)),
    (RMSProp, lambda p, g, s, lr: rmsprop_update(p, g, s["sq_avg"], lr, 0.7), dict(beta=0.7)),
])
def test_optimizer_objects_keep_their_state_between_calls(cls, fn, kw):
    rng = np.random.default_rng(0)
    a = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=3)}
    b = {k: x.copy() for k, x in a.items()}
    opt, state = cls(**kw), {n: {k: np.zeros_like(x) for k, x in b.items()} for n in cls.names}
    for _ in range(4):
        g = {k: rng.normal(size=x.shape) for k, x in a.items()}
        opt(a, g, 0.1)
        fn(b, g, state, 0.1)
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=1e-12, err_msg=k)
    assert opt.t == 4
    opt.reset()
    assert opt.state == {} and opt.t == 0


def test_adam_object_counts_steps_from_one_and_sgd_is_plain_gradient_descent():
    params = _p(1.0)
    opt = Adam(eps=0.0)
    for _ in range(3):
        opt(params, {"w": np.array([-4.0])}, 0.2)
    np.testing.assert_allclose(params["w"], [1.6], rtol=1e-12)
    assert opt.t == 3
    params = _p(1.0)
    SGD()(params, {"w": np.array([2.0])}, 0.25)
    np.testing.assert_allclose(params["w"], [0.5])
    assert isinstance(make_optimizer("momentum", beta=0.8), Momentum)
    assert "Momentum(beta=0.8)" == repr(Momentum(0.8))


def test_schedules():
    s = step_decay(every=2, factor=0.5)
    assert [s(1.0, t) for t in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    c = cosine_decay(4, lr_min=0.1)
    np.testing.assert_allclose([c(1.1, t) for t in (0, 2, 4, 9)], [1.1, 0.6, 0.1, 0.1], rtol=1e-12)
    assert constant()(0.3, 100) == 0.3


def test_bad_input_names_the_argument():
    p, g = {"w": np.zeros(2)}, {"w": np.zeros(2)}
    with pytest.raises(ValueError, match=r"momentum_update: velocity must have the keys of params \['w'\], got \[\]"):
        momentum_update(p, g, {}, 0.1)
    with pytest.raises(ValueError, match=r"momentum_update: beta must be a number in \[0, 1\), got 1.0"):
        momentum_update(p, g, {"w": np.zeros(2)}, 0.1, beta=1.0)
    with pytest.raises(ValueError, match=r"adam_update: t must be the step number, an int >= 1, got 0"):
        adam_update(p, g, {"w": np.zeros(2)}, {"w": np.zeros(2)}, 0, 0.1)
    with pytest.raises(ValueError, match=r"adam_update: v\['w'\] has shape \(3,\), params\['w'\] has \(2,\)"):
        adam_update(p, g, {"w": np.zeros(2)}, {"w": np.zeros(3)}, 1, 0.1)
    with pytest.raises(ValueError, match=r"rmsprop_update: lr must be a positive number, got -1"):
        rmsprop_update(p, g, {"w": np.zeros(2)}, -1)
    with pytest.raises(TypeError, match=r"rmsprop_update: sq_avg must be a dict like params, got list"):
        rmsprop_update(p, g, [np.zeros(2)], 0.1)
    with pytest.raises(ValueError, match=r"make_optimizer: name must be one of \['adam', 'momentum', 'rmsprop', 'sgd'\], got 'nesterov'"):
        make_optimizer("nesterov")
    with pytest.raises(ValueError, match=r"step_decay: factor must be a number in \(0, 1\], got 2"):
        step_decay(3, 2)
    with pytest.raises(ValueError, match=r"cosine_decay: total must be a positive int, got 0"):
        cosine_decay(0)
    np.testing.assert_array_equal(p["w"], 0.0)


def test_adam_object_equals_adam_update_on_a_random_sequence():
    rng = np.random.default_rng(3)
    a = {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=4)}
    b = {k: x.copy() for k, x in a.items()}
    m, v = {k: np.zeros_like(x) for k, x in b.items()}, {k: np.zeros_like(x) for k, x in b.items()}
    opt = Adam(0.8, 0.99, 1e-3)
    for t in range(1, 8):
        g = {k: rng.normal(size=x.shape) * 10.0 ** -(t % 3) for k, x in a.items()}
        opt(a, g, 0.05)
        adam_update(b, g, m, v, t, 0.05, 0.8, 0.99, 1e-3)
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-12, atol=1e-15, err_msg=f"{k} at step {t}")


def test_optimizer_objects_check_their_arguments_on_the_first_call():
    with pytest.raises(ValueError, match=r"Adam: grads must have the keys of params \['w'\], got \['x'\]"):
        Adam()({"w": np.zeros(2)}, {"x": np.zeros(2)}, 0.1)
    opt, p = Momentum(), {"w": np.zeros(2)}
    opt(p, {"w": np.ones(2)}, 0.1)
    with pytest.raises(ValueError, match=r"Momentum: lr must be a positive number, got 0"):
        opt(p, {"w": np.ones(2)}, 0)
