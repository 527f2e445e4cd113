"""Code that runs inside a submission's sandboxed kernel (never in the grader's own process).

The sandbox binds this folder read-only at a neutral path (``/opt/bw/bw_kernel``, on the
kernel's ``PYTHONPATH``), so nothing of the grader's own paths appears in the kernel's
``/proc``. Modules here import only the standard library (and, at run time, what the
kernel has): they are also imported by the grader's tests as ``grader.bw_kernel``.
"""
__all__: list[str] = []
