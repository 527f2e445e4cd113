"""The course's runtime: what a lesson notebook needs besides the reference library.

* :mod:`.variants` -- each student's own numbers, drawn from the lesson's ``variant`` cell;
* :mod:`.own_code` -- a student's earlier functions (from their lesson notebooks), with the
  references as the fallback.

Nothing is imported here: import the module you need.
"""
__all__: list[str] = []
