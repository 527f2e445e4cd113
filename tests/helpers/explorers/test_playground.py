"""The playground's plain core without widgets: the state string, replay, health numbers, own code."""
import math

import numpy as np
import pytest

from helpers.deep import L_layer_backward, L_layer_forward
from helpers.explorers.playground import Trainer, TrainingPaused
from helpers.explorers.playground_health import (LayerHealth, activation_std, dead_fraction, gradient_std,
                                                 reading, update_ratio)
from helpers.explorers.playground_state import Settings, StateError, decode_state, encode_state
from helpers.optimizers import adam_update, momentum_update

pytestmark = pytest.mark.filterwarnings("error")


# -- state string -------------------------------------------------------------------------------
def test_state_string_round_trips_every_field():
    s = Settings(dataset="spirals", noise=0.3, n_train=150, depth=3, width=8, activation="tanh", init="sigma",
                 sigma=0.05, optimizer="adam", lr=0.003, beta1=0.8, beta2=0.99, batch_size=16,
                 weight_decay=0.001, seed=7)
    text = encode_state(s, 42, [(10, "lr", 0.01)])
    assert text.startswith("bp1.") and len(text) < 200
    assert all(c.isalnum() or c in "-_." for c in text), text      # URL-safe
    assert decode_state(text) == (s, 42, [(10, "lr", 0.01)])


@pytest.mark.parametrize("field, value, words", [
    ("dataset", "mnist", "dataset must be one of"), ("depth", 5, "depth must be in [1, 4]"),
    ("lr", -1.0, "lr must be in"), ("width", 2.5, "width must be a whole number"),
    ("optimizer", "lbfgs", "optimizer must be one of")])
def test_bad_field_in_a_state_string_is_named(field, value, words):
    text = encode_state(Settings(), 3)
    settings, updates, changes = decode_state(text)
    import base64
    import json
    data = json.loads(base64.urlsafe_b64decode(text[4:] + "=" * (-len(text[4:]) % 4)))
    data["s"][[f for f in Settings.__dataclass_fields__].index(field)] = value
    bad = "bp1." + base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
    with pytest.raises(StateError, match=re_escape(words)):
        decode_state(bad)


def re_escape(s):
    import re
    return re.escape(s)


@pytest.mark.parametrize("text, words", [("hello", "starts with 'bp1.'"), ("bp1.%%%", "damaged"),
                                         ("bp1.e30", "damaged")])
def test_damaged_state_strings_get_a_clear_error(text, words):
    with pytest.raises(StateError, match=words):
        decode_state(text)


@pytest.mark.parametrize("settings", [Settings(), Settings(dataset="xor", optimizer="momentum", depth=1),
                                      Settings(dataset="circles", optimizer="rmsprop", activation="tanh",
                                               weight_decay=0.01, seed=3)])
def test_replay_from_the_state_string_is_exact(settings):
    tr = Trainer(settings).run(30)
    tr.set("lr", settings.lr / 3)
    tr.set("batch_size", 8)
    tr.run(20)
    again = Trainer.from_state(tr.state())
    assert again.t == tr.t == 50
    assert again.train_loss == tr.train_loss
    for k in tr.params:
        np.testing.assert_array_equal(again.params[k], tr.params[k], err_msg=k)
    other = Trainer(settings).run(50)       # without the recorded changes: a different run
    assert other.train_loss[30:] != tr.train_loss[30:]


def test_same_settings_same_run_other_seed_other_run():
    a, b, c = Trainer(Settings()).run(10), Trainer(Settings()).run(10), Trainer(Settings(seed=1)).run(10)
    assert a.train_loss == b.train_loss and a.train_loss != c.train_loss


def test_training_learns_the_moons():
    tr = Trainer(Settings(optimizer="adam", lr=0.01)).run(300)
    assert tr.accuracy() > 0.9, tr.accuracy()
    assert tr.train_loss[-1] < tr.train_loss[0] / 3


# -- health, against hand-computed numbers ----------------------------------------------------------
def test_health_numbers_by_hand():
    A = np.array([[0.0, 1.0, 0.0], [0.0, 3.0, 2.0]])          # unit 0 dead on the whole batch
    assert dead_fraction(A) == pytest.approx(1 / 3)
    mean = 6 / 6
    assert activation_std(A) == pytest.approx(math.sqrt(sum((v - mean) ** 2 for v in A.ravel()) / 6))
    assert gradient_std(np.array([1.0, -1.0])) == 1.0
    W0, W1 = np.array([[3.0, 4.0]]), np.array([[3.0, 4.03]])  # ||dW|| = 0.03, ||W|| = 5
    assert update_ratio(W0, W1) == pytest.approx(0.006)
    assert update_ratio(np.zeros(2), np.zeros(2)) == 0.0 and update_ratio(np.zeros(2), np.ones(2)) == math.inf


def test_readings_name_the_layer_and_the_cure():
    dead = LayerHealth(3, 0.5, 0.6, 0.1, 1e-3, 1.0)
    assert reading(dead) == "layer 3: 60 % of units dead — try He initialisation or a smaller learning rate"
    assert "smaller learning rate" in reading(LayerHealth(1, 0.5, 0.0, 0.1, 0.05, 1.0))
    assert "larger learning rate" in reading(LayerHealth(1, 0.5, 0.0, 0.1, 1e-6, 1.0))
    assert "all weights are zero" in reading(LayerHealth(2, 0.0, 1.0, 0.0, 0.0, 0.0))
    assert "healthy" in reading(LayerHealth(2, 0.5, 0.1, 0.1, 1e-3, 1.0))


def test_trainer_health_matches_its_own_arrays():
    tr = Trainer(Settings(depth=2, width=8)).run(3)
    Xb, grads, before = tr._last
    _, caches = L_layer_forward(Xb, tr.params)
    h = tr.health()
    assert [x.layer for x in h] == [1, 2, 3] and h[2].act_std is None
    assert h[0].dead == pytest.approx(np.mean(np.all(caches[1][0] == 0, axis=0)))
    assert h[1].ratio == pytest.approx(np.linalg.norm(tr.params["W2"] - before["W2"]) / np.linalg.norm(before["W2"]))


def test_zero_init_reads_as_symmetric():
    tr = Trainer(Settings(init="zeros")).run(2)
    assert any("zero" in reading(h) or "dead" in reading(h) for h in tr.health())


# -- the student's code -----------------------------------------------------------------------------
def test_correct_own_functions_are_used_and_give_the_reference_run():
    own = dict(forward=L_layer_forward, backward=L_layer_backward, momentum=momentum_update)
    mine = Trainer(Settings(optimizer="momentum"), own).run(15)
    ref = Trainer(Settings(optimizer="momentum")).run(15)
    assert "using your L_layer_forward" in mine.notes and "using your momentum_update" in mine.notes
    np.testing.assert_allclose(mine.train_loss, ref.train_loss, rtol=1e-12)


def test_stub_and_wrong_functions_fall_back_with_a_note():
    def stub(X, params):
        raise NotImplementedError

    def wrong_adam(params, grads, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return adam_update(params, grads, m, v, t, 2 * lr, beta1, beta2, eps)
    tr = Trainer(Settings(optimizer="adam"), dict(forward=stub, adam=wrong_adam)).run(2)
    assert "your L_layer_forward is not written yet — using the course's reference" in tr.notes
    assert any("adam_update gave other numbers" in n for n in tr.notes)
    assert tr.own == {}


def test_own_code_that_fails_later_pauses_and_says_where():
    calls = []

    def flaky_backward(dlogits, caches):
        calls.append(1)
        if len(calls) > 5:      # passes the probe (1 call) and 4 updates, fails at the 5th
            raise IndexError("list index out of range")
        return L_layer_backward(dlogits, caches)
    tr = Trainer(Settings(), dict(backward=flaky_backward))
    with pytest.raises(TrainingPaused, match=r"Paused at update 5: your L_layer_backward raised IndexError"):
        tr.run(10)
    assert tr.t == 4


def test_nan_pauses_with_a_kind_message():
    tr = Trainer(Settings(lr=10.0, init="sigma", sigma=10.0, depth=4, width=64))
    with pytest.raises(TrainingPaused, match="NaN or infinite.*smaller learning rate"):
        tr.run(200)


# -- what lessons 05 and 06 say about the playground's runs ----------------------------------------
def test_lesson05_tiny_training_set_is_driven_to_almost_zero_loss_and_starts_near_ln10():
    tr = Trainer(Settings(dataset="digits", depth=1, width=32, lr=0.1, batch_size=32, n_train=20)).run(300)
    assert tr.train_loss[-1] < 0.05, tr.train_loss[-1]
    assert abs(tr.train_loss[0] - math.log(10)) < 0.5, tr.train_loss[0]


def test_lesson06_small_sigma_reads_as_vanishing_and_he_does_not():
    def readings(**init):
        tr = Trainer(Settings(dataset="spirals", depth=4, width=16, optimizer="adam", lr=0.01, **init)).run(5)
        return [reading(h) for h in tr.health()]
    assert any("vanishes" in r for r in readings(init="sigma", sigma=0.01))
    assert not any("vanishes" in r or "dead" in r for r in readings(init="he"))
