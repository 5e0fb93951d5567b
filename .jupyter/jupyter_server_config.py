"""The course's JupyterLab settings, read when `make lab` starts it (JUPYTER_CONFIG_PATH=.jupyter).

The browser test starts its JupyterLab with them too. Beside this file,
labconfig/default_setting_overrides.json switches off JupyterLab's "Would you
like to get notified about official Jupyter news?" prompt (a learner's own
settings still win).
"""

import json
from pathlib import Path

c = get_config()  # noqa: F821  (defined when Jupyter reads this file)

# The printed URL, "/" and the browser JupyterLab opens all lead to chapter 1.
c.LabApp.default_url = "/lab/tree/chapters/01_errors_and_losses.ipynb"

# Build output stays out of the file browser: Jupyter's own defaults, then the
# package metadata of `pip install -e`, the decks of `make slides` and the tests' screenshots.
c.ContentsManager.hide_globs = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~",
                                "*.egg-info", "build", "artifacts"]


def _stop_a_deck_left_presenting():
    """Switch jupyterlab-slideshow's deck off before a session starts.

    The extension stores "presenting" as the user setting ``active`` and
    restarts the deck on the next page load: a tab closed while presenting
    would reopen every later session as a deck without a menu bar.
    """
    import json5
    from jupyterlab.commands import get_user_settings_dir

    path = Path(get_user_settings_dir(), "jupyterlab-slideshow", "plugin.jupyterlab-settings")
    try:
        settings = json5.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return  # no deck was ever started, or a file the learner edited by hand: leave it
    if settings.get("active"):
        settings["active"] = False
        path.write_text(json.dumps(settings, indent=4), encoding="utf-8")


_stop_a_deck_left_presenting()
