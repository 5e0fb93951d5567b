"""Reading a notebook file that may be damaged, or not a notebook at all.

Submissions arrive in every state: truncated downloads, a ``.py`` file renamed
to ``.ipynb``, a notebook saved by an old tool. ``read_notebook`` either
returns a notebook the grader can work with or raises ``NotebookReadError``
whose message says what is wrong with the file and what the student can do.
"""

import json

import nbformat

_RESUBMIT = ("Open the notebook in JupyterLab, check that it shows your work, save it "
             "(File > Save Notebook) and submit that file again.")


class NotebookReadError(ValueError):
    """A file that cannot be read as a Jupyter notebook."""


def read_notebook(path):
    """Read ``path`` as an nbformat-4 notebook; raise ``NotebookReadError`` if it is not one."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise NotebookReadError(f"cannot read the file: {error.strerror or error}.") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotebookReadError(f"this is not a Jupyter notebook: it is not a text file "
                                f"(byte {error.start} is not UTF-8). {_RESUBMIT}") from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookReadError(f"this is not a Jupyter notebook: the file is not valid JSON "
                                f"({error.msg} at line {error.lineno}, column {error.colno}); it may "
                                f"have been cut off or edited by hand. {_RESUBMIT}") from error
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotebookReadError(f"this is not a Jupyter notebook: the JSON has no list of 'cells'. "
                                f"{_RESUBMIT}")
    if not isinstance(data.get("nbformat"), int) or data["nbformat"] < 4:
        raise NotebookReadError("this notebook uses an old file format (nbformat "
                                f"{data.get('nbformat')!r}); open it in JupyterLab and save it, "
                                "which converts it to format 4, then submit it again.")
    for number, cell in enumerate(data["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise NotebookReadError(f"cell {number} of this notebook is damaged (it has no valid "
                                    f"'cell_type'). {_RESUBMIT}")
        if not isinstance(cell.get("source", ""), (str, list)):
            raise NotebookReadError(f"cell {number} of this notebook is damaged (its 'source' is "
                                    f"not text). {_RESUBMIT}")
        cell.setdefault("metadata", {})
        cell.setdefault("source", "")
    # Schema problems beyond these (a missing output field, an unknown key)
    # do not stop grading: the grader only needs each cell's type and source.
    data.setdefault("metadata", {})
    return nbformat.from_dict(_with_joined_sources(data))


def _with_joined_sources(data):
    """Notebook JSON may store a source as a list of lines; the grader works with one string."""
    for cell in data["cells"]:
        if isinstance(cell["source"], list):
            cell["source"] = "".join(str(line) for line in cell["source"])
        if not isinstance(cell["metadata"], dict):
            cell["metadata"] = {}
    return data
