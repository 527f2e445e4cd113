"""nbgrader configuration for Backprop Workbook.

``solutions/<lesson>/<lesson>.ipynb`` are the instructor's source notebooks
(solution regions, hidden tests); ``lessons/<lesson>/<lesson>.ipynb`` are the
student versions that nbgrader generates from them (``make lessons``).
Paths are relative to the repository root (the parent of this folder).
"""
import os

c = get_config()  # noqa: F821 -- provided by traitlets when nbgrader loads this file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

c.CourseDirectory.root = ROOT
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "lessons"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.course_id = "backprop-workbook"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

# Student versions: solution regions become this stub; hidden tests are stripped.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Per-cell time limit while grading (seconds); c.Execute.timeout wins over ExecutePreprocessor.
c.Execute.timeout = 30
