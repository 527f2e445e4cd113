"""The interactive explorers of lessons 04-06 and the Voila page: sliders that train a network.

Each explorer is a plain, testable function that runs the training (:mod:`.explore`,
:mod:`.explore_optim`), a figure that draws its result (:mod:`.explore_view`,
:mod:`.explore_optim_view`, blitted by :mod:`._render`) and a thin ipywidgets layer
(:mod:`.widgets`, :mod:`.widgets_optim`).

Nothing is imported here (ipywidgets is an optional dependency): import the module you need.
"""
__all__: list[str] = []
