"""The marker every grading kernel's environment carries.

Its own module so that the kernel layer (which sets it) and self-check (which
reads it, so that a notebook's self-check cell does nothing inside a grading
run) both depend on it, and not on each other.
"""

GRADING_ENV_VAR = "MLCORE_GRADING"
