"""Tests of the lesson notebooks (a package, so that module names such as
``test_release`` do not clash with test modules of the same name elsewhere)."""
