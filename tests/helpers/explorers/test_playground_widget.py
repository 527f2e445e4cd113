"""The playground widget headless: controls set as the browser would, the play loop on asyncio."""
import asyncio

import pytest

from helpers.explorers.playground_state import decode_state
from helpers.explorers.playground_widget import Playground

PNG = b"\x89PNG\r\n\x1a\n"


def test_creating_it_draws_and_does_not_play():
    p = Playground()
    assert not p.playing and p.trainer.t == 0 and p.png.startswith(PNG) and p.image.value == p.png
    assert "update 0" in p.summary_html.value and 'role="status"' in p.summary_html.value
    assert all(w.description for w in p.controls.values()), "every control has a label"


def test_step_then_a_hot_change_takes_effect_at_the_next_update():
    p = Playground(dataset="xor")
    p.step()
    p.step()
    p.controls["lr"].value = 0.03
    assert p.trainer.t == 2 and p.trainer.settings.lr == pytest.approx(0.03)
    assert "from update 3 on" in p.note_html.value
    p.step()
    assert decode_state(p.state_text.value)[1:] == (3, [(2, "lr", pytest.approx(0.03))])


def test_a_structural_change_resets_and_says_so():
    p = Playground()
    p.step()
    p.controls["depth"].value = 3
    assert p.trainer.t == 0 and len(p.trainer.params) == 8
    assert "a fresh network starts" in p.note_html.value


def test_the_state_string_reproduces_the_picture():
    p = Playground(dataset="circles", optimizer="adam", lr=0.01)
    for _ in range(3):
        p.step()
    p.controls["batch_size"].value = 8
    p.step()
    q = Playground()
    q.load(p.state_text.value)
    assert q.trainer.t == 4 and q.png == p.png and q.controls["batch_size"].value == 8
    q.load("bp1.nonsense")
    assert "damaged" in q.note_html.value and q.trainer.t == 4


def test_play_runs_in_chunks_on_the_event_loop_and_pause_stops_it():
    p = Playground()

    async def scenario():
        p.play()
        await asyncio.sleep(0.4)            # other coroutines run meanwhile: the loop yields
        t_playing, frames = p.trainer.t, p.n_frames
        p.pause()
        await asyncio.wait_for(p._task, 1.0)
        return t_playing, frames
    t_playing, frames = asyncio.run(scenario())
    assert t_playing > 0 and frames >= 3, (t_playing, frames)
    assert p.trainer.t >= t_playing and not p.playing


def test_student_code_error_pauses_with_the_message():
    def forward(X, params):
        raise ValueError("shapes do not match")
    p = Playground(own=dict(forward=forward))
    assert "raised ValueError on a small test — using the reference" in p.note_html.value


def test_student_code_failing_while_playing_pauses_kindly():
    from helpers.deep import L_layer_forward
    calls = []

    def forward(X, params):
        calls.append(1)
        if len(calls) > 3:
            raise KeyError("W3")
        return L_layer_forward(X, params)
    p = Playground(own=dict(forward=forward))
    p.playing = True
    p.frame()
    assert not p.playing and p.trainer.t == 2
    assert "Paused at update 3: your L_layer_forward raised KeyError" in p.note_html.value
