"""The marked regions of nbgrader's source format, and what the tools do with them.

Source notebooks mark text with comment lines:
``### BEGIN SOLUTION`` / ``### END SOLUTION`` (the answer, replaced by a stub
in the student version), ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``
(tests the learner never sees) and ``### BEGIN MARK SCHEME`` /
``### END MARK SCHEME`` (notes for human graders). As in nbgrader, a line
*containing* a delimiter opens or closes a region, and nested or unclosed
regions are errors.
"""

import re

SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")
HIDDEN_TESTS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MARK_SCHEME = ("BEGIN MARK SCHEME", "END MARK SCHEME")

CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"


class RegionError(ValueError):
    """A source cell whose markers do not pair up."""


def replace_regions(source, delimiters, replacement=None, keep_content=False):
    """Rewrite each marked region of ``source``; return ``(new_source, found_any)``.

    The delimiter lines are always dropped. The region's lines are dropped,
    or kept when ``keep_content`` is true, and ``replacement`` (if given) is
    inserted in their place, indented like the opening delimiter line, which
    is how nbgrader puts a stub inside a function body.
    """
    begin, end = delimiters
    out, inside, found = [], False, False
    for line in source.split("\n"):
        if begin in line:
            if inside:
                raise RegionError(f"nested '{begin}' markers: close the first region with '{end}' "
                                  f"before opening another.\nCell source:\n{source}")
            inside = found = True
            if replacement is not None:
                indent = re.match(r"\s*", line).group(0)
                out.extend(indent + stub_line for stub_line in replacement.split("\n"))
        elif end in line:
            inside = False
        elif keep_content or not inside:
            out.append(line)
    if inside:
        raise RegionError(f"'{begin}' has no matching '{end}': add the closing marker line."
                          f"\nCell source:\n{source}")
    return "\n".join(out), found
