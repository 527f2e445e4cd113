"""The Backprop Workbook autograder: ``python -m grader`` (see ``grader --help``)."""
